package io.flinkrecovery.inspect;

/** The operator and subtask a state handle belongs to, for findings and restore plans. */
final class HandleOwner {

    private final String operator;
    private final int subtask;

    HandleOwner(String operator, int subtask) {
        this.operator = operator;
        this.subtask = subtask;
    }

    String operator() {
        return operator;
    }

    int subtask() {
        return subtask;
    }

    @Override
    public String toString() {
        return "operator " + operator + " subtask " + subtask;
    }
}
