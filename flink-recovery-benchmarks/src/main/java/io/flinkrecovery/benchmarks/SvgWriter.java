package io.flinkrecovery.benchmarks;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import java.io.StringWriter;
import java.util.List;
import java.util.Locale;

/**
 * Writes one self-contained SVG image (no script, no external font or stylesheet) through the JDK's
 * XML writer, which escapes every text and attribute: the few shapes the benchmark charts draw.
 */
final class SvgWriter {

    private static final String SVG_NAMESPACE = "http://www.w3.org/2000/svg";

    private final StringWriter text = new StringWriter();
    private final XMLStreamWriter xml;

    SvgWriter(int width, int height, String title) {
        try {
            xml = XMLOutputFactory.newInstance().createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeStartElement("svg");
            xml.writeDefaultNamespace(SVG_NAMESPACE);
            xml.writeAttribute("width", Integer.toString(width));
            xml.writeAttribute("height", Integer.toString(height));
            xml.writeAttribute("viewBox", "0 0 " + width + " " + height);
            xml.writeAttribute("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif");
            xml.writeAttribute("font-size", "12");
            xml.writeAttribute("role", "img");
            element("title", title);
            xml.writeEmptyElement("rect");
            xml.writeAttribute("width", "100%");
            xml.writeAttribute("height", "100%");
            xml.writeAttribute("fill", "white");
        } catch (XMLStreamException e) {
            throw new IllegalStateException("Cannot start an SVG document", e);
        }
    }

    /** Opens a group; {@code attributes} are name, value pairs. */
    SvgWriter group(String... attributes) {
        return start("g", attributes);
    }

    SvgWriter end() {
        try {
            xml.writeEndElement();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    SvgWriter line(double x1, double y1, double x2, double y2, String... attributes) {
        return empty(
                "line",
                join(
                        attributes,
                        "x1",
                        number(x1),
                        "y1",
                        number(y1),
                        "x2",
                        number(x2),
                        "y2",
                        number(y2)));
    }

    /** A rectangle whose tooltip is {@code tooltip}. */
    SvgWriter rect(
            double x, double y, double width, double height, String tooltip, String... attributes) {
        start(
                "rect",
                join(
                        attributes,
                        "x",
                        number(x),
                        "y",
                        number(y),
                        "width",
                        number(width),
                        "height",
                        number(height)));
        element("title", tooltip);
        return end();
    }

    SvgWriter circle(double x, double y, double radius, String tooltip, String... attributes) {
        start("circle", join(attributes, "cx", number(x), "cy", number(y), "r", number(radius)));
        element("title", tooltip);
        return end();
    }

    /** An open line through {@code points}, given as x, y pairs. */
    SvgWriter polyline(List<double[]> points, String... attributes) {
        StringBuilder coordinates = new StringBuilder();
        for (double[] point : points) {
            if (coordinates.length() > 0) {
                coordinates.append(' ');
            }
            coordinates.append(number(point[0])).append(',').append(number(point[1]));
        }
        return empty(
                "polyline", join(attributes, "points", coordinates.toString(), "fill", "none"));
    }

    SvgWriter text(double x, double y, String content, String... attributes) {
        start("text", join(attributes, "x", number(x), "y", number(y)));
        try {
            xml.writeCharacters(content);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return end();
    }

    /** Closes every open element and returns the document. */
    String finish() {
        try {
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("Cannot finish an SVG document", e);
        }
        return text.toString() + "\n";
    }

    static String number(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private SvgWriter start(String name, String... attributes) {
        try {
            xml.writeStartElement(name);
            attributes(attributes);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    private SvgWriter empty(String name, String... attributes) {
        try {
            xml.writeEmptyElement(name);
            attributes(attributes);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    private void element(String name, String content) {
        try {
            xml.writeStartElement(name);
            xml.writeCharacters(content);
            xml.writeEndElement();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    private void attributes(String... attributes) throws XMLStreamException {
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("Attributes come in name, value pairs");
        }
        for (int i = 0; i < attributes.length; i += 2) {
            xml.writeAttribute(attributes[i], attributes[i + 1]);
        }
    }

    private static String[] join(String[] extra, String... first) {
        String[] all = new String[first.length + extra.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(extra, 0, all, first.length, extra.length);
        return all;
    }
}
