package io.flinkrecovery.examples.totals;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventTest {

    @Test
    void isAPureFunctionOfIndexAndKeyCount() {
        for (long index = 0; index < 1_000; index++) {
            assertThat(Event.at(index, 37)).isEqualTo(Event.at(index, 37));
        }
        assertThat(Event.at(123_456_789L, 200)).isEqualTo(Event.at(123_456_789L, 200));
    }

    @Test
    void carriesItsIndexAKeyInRangeAndAPositiveAmount() {
        for (long index = 0; index < 10_000; index++) {
            Event event = Event.at(index, 200);
            assertThat(event.sequence()).isEqualTo(index);
            assertThat(event.key()).isBetween(0, 199);
            assertThat(event.amount()).isBetween(1L, Event.MAX_AMOUNT);
        }
    }

    @Test
    void spreadsConsecutiveIndexesOverAllKeys() {
        Set<Integer> keys = new HashSet<>();
        for (long index = 0; index < 5_000; index++) {
            keys.add(Event.at(index, 200).key());
        }
        assertThat(keys).hasSize(200);
    }

    @Test
    void worksWithOneKeyAndHugeIndexes() {
        assertThat(Event.at(Long.MAX_VALUE, 1).key()).isZero();
        assertThat(Event.at(Long.MAX_VALUE, 7).key()).isBetween(0, 6);
    }

    @Test
    void rejectsANegativeIndex() {
        assertThatThrownBy(() -> Event.at(-1, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid index: -1 (must be ≥ 0)");
    }

    @Test
    void rejectsNoKeys() {
        assertThatThrownBy(() -> Event.at(0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid numKeys: 0 (must be > 0)");
    }
}
