package io.flinkrecovery.benchmarks;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart is well-formed, self-contained SVG with one upload series and one restore group per
 * backend, each carrying that backend's figures.
 */
class ComparisonChartTest {

    private static final String SVG = "http://www.w3.org/2000/svg";

    @Test
    void oneSeriesPerBackendWithItsUploadsAndRestores() throws Exception {
        ComparisonResults results = ComparisonResultsFixture.results();
        Document svg = parse(ComparisonChart.render(results));

        Element root = svg.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo(SVG);

        List<Element> series = groups(svg, "series");
        List<Element> restores = groups(svg, "restore");
        List<CheckpointRun> runs = new ArrayList<>(results.runs().values());
        assertThat(series)
                .extracting(g -> g.getAttribute("data-backend"))
                .containsExactlyElementsOf(runs.stream().map(r -> r.backend.id()).toList());
        assertThat(restores)
                .extracting(g -> g.getAttribute("data-backend"))
                .containsExactlyElementsOf(runs.stream().map(r -> r.backend.id()).toList());

        for (int i = 0; i < runs.size(); i++) {
            CheckpointRun run = runs.get(i);
            Element line = only(series.get(i), "polyline");
            assertThat(line.getAttribute("points").split(" "))
                    .hasSize(ComparisonResultsFixture.CHECKPOINTS);
            assertThat(line.getAttribute("stroke")).isEqualTo(ComparisonChart.colour(run.backend));
            List<Long> plotted = new ArrayList<>();
            for (Element point : children(series.get(i), "circle")) {
                plotted.add(Long.parseLong(point.getAttribute("data-bytes")));
            }
            assertThat(plotted).isEqualTo(run.uploaded());

            List<Element> bars = children(restores.get(i), "rect");
            assertThat(bars).hasSize(2);
            assertThat(Double.parseDouble(bars.get(0).getAttribute("data-seconds")))
                    .isEqualTo(Math.round(Stats.median(run.restoreSeconds) * 1000) / 1000.0);
            assertThat(Double.parseDouble(bars.get(1).getAttribute("data-seconds")))
                    .isEqualTo(Math.round(Stats.median(run.caughtUpSeconds) * 1000) / 1000.0);
            assertThat(restores.get(i).getTextContent()).contains(run.backend.label());
        }
        // Larger uploads sit higher (smaller y): the fixture's uploads grow with each checkpoint.
        String[] points = only(series.get(0), "polyline").getAttribute("points").split(" ");
        assertThat(y(points[points.length - 1])).isLessThan(y(points[0]));

        // A legend entry per backend.
        assertThat(groups(svg, "legend").get(0).getTextContent())
                .contains(runs.stream().map(r -> r.backend.label()).toList());
    }

    @Test
    void selfContained() throws Exception {
        Document svg = parse(ComparisonChart.render(ComparisonResultsFixture.results()));
        assertThat(svg.getElementsByTagNameNS("*", "script").getLength()).isZero();
        assertThat(svg.getElementsByTagNameNS("*", "style").getLength()).isZero();
        assertThat(svg.getElementsByTagNameNS("*", "image").getLength()).isZero();
        NodeList all = svg.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            NamedNodeMap attributes = all.item(i).getAttributes();
            for (int a = 0; a < attributes.getLength(); a++) {
                Node attribute = attributes.item(a);
                assertThat(attribute.getNodeName()).doesNotContain("href").doesNotStartWith("on");
                if (!attribute.getNodeName().equals("xmlns")) {
                    assertThat(attribute.getNodeValue())
                            .doesNotContain("url(")
                            .doesNotContain("://");
                }
            }
        }
    }

    @Test
    void everyLabelAndShapeIsInsideTheImage() throws Exception {
        Document svg = parse(ComparisonChart.render(ComparisonResultsFixture.results()));
        double width = Double.parseDouble(svg.getDocumentElement().getAttribute("width"));
        double height = Double.parseDouble(svg.getDocumentElement().getAttribute("height"));
        for (String name : List.of("text", "rect", "circle", "line")) {
            NodeList elements = svg.getElementsByTagNameNS(SVG, name);
            for (int i = 0; i < elements.getLength(); i++) {
                Element element = (Element) elements.item(i);
                for (String x : List.of("x", "cx", "x1", "x2")) {
                    if (element.hasAttribute(x)) {
                        assertThat(Double.parseDouble(element.getAttribute(x)))
                                .as("%s of <%s> %s", x, name, element.getTextContent())
                                .isBetween(0.0, width);
                    }
                }
                for (String y : List.of("y", "cy", "y1", "y2")) {
                    if (element.hasAttribute(y)) {
                        // A text's y is its baseline: leave room for descenders.
                        assertThat(Double.parseDouble(element.getAttribute(y)))
                                .as("%s of <%s> %s", y, name, element.getTextContent())
                                .isBetween(0.0, name.equals("text") ? height - 4 : height);
                    }
                }
            }
        }
    }

    private static double y(String point) {
        return Double.parseDouble(point.split(",")[1]);
    }

    private static Document parse(String text) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(text)));
    }

    private static List<Element> groups(Document svg, String cssClass) {
        List<Element> groups = new ArrayList<>();
        NodeList all = svg.getElementsByTagNameNS(SVG, "g");
        for (int i = 0; i < all.getLength(); i++) {
            Element group = (Element) all.item(i);
            if (group.getAttribute("class").equals(cssClass)) {
                groups.add(group);
            }
        }
        return groups;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> children = new ArrayList<>();
        NodeList nodes = parent.getElementsByTagNameNS(SVG, name);
        for (int i = 0; i < nodes.getLength(); i++) {
            children.add((Element) nodes.item(i));
        }
        return children;
    }

    private static Element only(Element parent, String name) {
        List<Element> children = children(parent, name);
        assertThat(children).hasSize(1);
        return children.get(0);
    }
}
