#!/usr/bin/env python3
"""Where a PDF's bytes go: each indirect object's size in the file (from the offsets in its
cross-reference table, so it works on broadside's and krilla's classic xref files), grouped
into font programs (one row per subset), font dictionaries and ToUnicode maps, page content,
the structure tree, metadata, annotations, and the rest.

    python3 benches/pdf_size.py FILE.pdf   (needs pikepdf: pip install pikepdf)
"""

import collections
import re
import sys

import pikepdf


def offsets(data):
    """Object number -> byte offset: from the last classic xref table, or, in a file with a
    cross-reference stream, from where each top-level `N 0 obj` starts (objects inside an
    object stream have no offset of their own: they count as the object stream)."""
    start = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    m = re.compile(rb"xref\s+").match(data, start)
    if not m:
        return {int(m[1]): m.start(1) for m in re.finditer(rb"(?:^|[\r\n])(\d+) 0 obj", data)}
    pos, out = m.end(), {}
    while True:
        head = re.compile(rb"(\d+) (\d+)\s+").match(data, pos)
        if not head:
            break
        first, count = int(head[1]), int(head[2])
        pos = head.end()
        for i in range(count):
            entry = data[pos:pos + 20]
            pos += 20
            if entry[17:18] == b"n":
                out[first + i] = int(entry[:10])
    return out


def classify(pdf):
    """Object number -> label."""
    labels = {}

    def mark(obj, label):
        if isinstance(obj, pikepdf.Object) and obj.is_indirect and obj.objgen[0] not in labels:
            labels[obj.objgen[0]] = label

    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array):
            for c in contents:
                mark(c, "page content")
        else:
            mark(contents, "page content")
        for annot in page.obj.get("/Annots", []):
            mark(annot, "annotations")
        resources = page.obj.get("/Resources", {})
        for font in resources.get("/Font", {}).values():
            name = str(font.get("/BaseFont", "?")).lstrip("/")
            name = name.split("+", 1)[-1]
            fonts = [font] + list(font.get("/DescendantFonts", []))
            for f in fonts:
                mark(f, "font dictionaries, widths")
                desc = f.get("/FontDescriptor")
                if desc is not None:
                    mark(desc, "font dictionaries, widths")
                    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                        if key in desc:
                            kind = {"/FontFile2": "TrueType", "/FontFile3": "CFF"}.get(key, "Type1")
                            mark(desc[key], f"font program {name} ({kind})")
                    mark(desc.get("/CIDSet"), "font dictionaries, widths")
                mark(f.get("/CIDToGIDMap"), "font dictionaries, widths")
                mark(f.get("/W"), "font dictionaries, widths")
            mark(font.get("/ToUnicode"), "ToUnicode maps")
        for xobj in resources.get("/XObject", {}).values():
            mark(xobj, "images, forms")
    root = pdf.Root
    mark(root.get("/Metadata"), "metadata (XMP, Info)")
    mark(pdf.trailer.get("/Info"), "metadata (XMP, Info)")
    mark(root.get("/Outlines"), "outline")
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Type") in ("/ObjStm", "/XRef"):
            kind = "object stream: every dictionary (structure tree, fonts, pages, outline)"
            labels[obj.objgen[0]] = kind if obj.Type == "/ObjStm" else "header, xref, trailer"

    seen = set()

    def walk(obj, label):
        stack = [obj]
        while stack:
            o = stack.pop()
            if isinstance(o, pikepdf.Object) and o.is_indirect:
                if o.objgen in seen:
                    continue
                seen.add(o.objgen)
                if o.objgen[0] not in labels:
                    labels[o.objgen[0]] = label
                elif labels[o.objgen[0]] != label:
                    continue
            if isinstance(o, pikepdf.Dictionary):
                for k, v in o.items():
                    if k in ("/P", "/Pg", "/Parent", "/Obj", "/Prev", "/Next", "/First", "/Last", "/Dest"):
                        continue
                    stack.append(v)
            elif isinstance(o, pikepdf.Array):
                stack.extend(o)

    walk(root.get("/Outlines"), "outline")
    walk(root.get("/StructTreeRoot"), "structure tree")
    return labels


def main():
    path = sys.argv[1]
    data = open(path, "rb").read()
    offs = offsets(data)
    ordered = sorted(offs.items(), key=lambda kv: kv[1])
    xref_at = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    sizes = {}
    end = len(data) if xref_at <= ordered[-1][1] else xref_at
    for (num, off), nxt in zip(ordered, ordered[1:] + [(None, end)]):
        sizes[num] = nxt[1] - off
    labels = classify(pikepdf.open(path))
    totals = collections.Counter()
    for num, size in sizes.items():
        totals[labels.get(num, "other (catalog, pages, colour, dicts)")] += size
    totals["header, xref, trailer"] += len(data) - sum(sizes.values())
    print(f"{path}: {len(data)} bytes")
    for label, size in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {size:7d}  {size / 1024:5.1f} KB  {label}")


if __name__ == "__main__":
    main()
