#!/usr/bin/env python3
"""Flattens an XML document (stdin) into one `path=text` line per element, in document order.

    <A xmlns="ns"><B><C>1</C><C>2</C></B><D/></A>
becomes
    /A/@xmlns=ns
    /A
    /A/B
    /A/B/C=1
    /A/B/C=2
    /A/D=

so shell tests can assert on exact element names, nesting, order and values with grep,
without depending on whitespace. An element with children prints its path alone; a leaf
prints `path=text` (empty text included). A namespace is printed where it changes.
Exits 1 with a message when stdin is not well-formed XML.
"""
import sys
import xml.etree.ElementTree as ET


def split(tag):
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def walk(element, parent_path, parent_namespace, out):
    namespace, name = split(element.tag)
    path = f"{parent_path}/{name}"
    if namespace != parent_namespace:
        out.append(f"{path}/@xmlns={namespace}")
    for attribute, value in element.attrib.items():
        out.append(f"{path}/@{split(attribute)[1]}={value}")
    children = list(element)
    if children:
        out.append(path)
        for child in children:
            walk(child, path, namespace, out)
    else:
        out.append(f"{path}={element.text or ''}")


def main():
    data = sys.stdin.read()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        sys.exit(f"not well-formed XML ({error}): {data[:200]!r}")
    out = []
    walk(root, "", "", out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
