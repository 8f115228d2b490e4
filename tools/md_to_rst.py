"""Render the Markdown guides under docs/ as the RST pages of the antsibull-docs docsite.

The guides are written once, in Markdown (read on the forge and in a clone); the docsite wants
RST in docs/docsite/rst/. This converter knows the small Markdown subset the guides use:
headings, paragraphs, lists, fenced code blocks, inline code and links.

    python tools/md_to_rst.py docs/getting-started.md docs/docsite/rst/getting_started.rst
    python tools/md_to_rst.py --check SRC DEST    exit 1 when DEST is not SRC's rendering
"""
import re
import sys

UNDERLINES = {1: '=', 2: '-', 3: '~'}


def inline(text):
    text = re.sub(r'`([^`]+)`', r'``\1``', text)
    return re.sub(r'\[([^\]]+)\]\(([^)]+)\)', r'`\1 <\2>`__', text)


def convert(markdown, label):
    out = ['.. _ansible_collections.smartstack.smartos.docsite.%s:' % label, '']
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = re.match(r'^(\s*)```(\w*)\s*$', line)
        heading = re.match(r'^(#{1,3}) (.*)$', line)
        if fence:
            indent = fence.group(1)
            out.append(indent + '.. code-block:: ' + (fence.group(2) or 'text'))
            out.append('')
            index += 1
            while index < len(lines) and not lines[index].strip().startswith('```'):
                out.append(indent + '   ' + lines[index][len(indent):] if lines[index].strip() else '')
                index += 1
            out.append('')
        elif heading:
            title = inline(heading.group(2))
            out.extend([title, UNDERLINES[len(heading.group(1))] * len(title), ''])
        else:
            out.append(inline(line))
        index += 1
    text = '\n'.join(out)
    return re.sub(r'\n{3,}', '\n\n', text).strip() + '\n'


def main(argv):
    check = argv[:1] == ['--check']
    src, dest = argv[1:] if check else argv
    label = dest.rsplit('/', 1)[-1].rsplit('.', 1)[0]
    with open(src, encoding='utf-8') as handle:
        rendered = convert(handle.read(), label)
    if check:
        with open(dest, encoding='utf-8') as handle:
            if handle.read() != rendered:
                sys.stderr.write('%s is not the rendering of %s: run python tools/md_to_rst.py %s %s\n' % (dest, src, src, dest))
                return 1
        return 0
    with open(dest, 'w', encoding='utf-8') as handle:
        handle.write(rendered)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
