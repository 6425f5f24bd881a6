#!/bin/sh
# Rebuilds the files of tests/resumes/real/ from their sources. Needs pdflatex (Debian:
# texlive-latex-base, -latex-recommended, -latex-extra, -fonts-recommended, -fonts-extra for
# fontawesome5), the typst Python package (pip install typst), python-docx and LibreOffice
# (libreoffice-writer-nogui). The tests read only the committed outputs; the expected records
# (*.json) are written by hand.
set -e
cd "$(dirname "$0")"
for tex in latex_*.tex; do pdflatex -interaction=nonstopmode "$tex" >/dev/null; done
rm -f ./*.aux ./*.log ./*.out
for typ in typst_*.typ; do python3 -c "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])" "$typ" "${typ%.typ}.pdf"; done
python3 word_make.py
soffice --headless --convert-to docx --outdir . /tmp/word_europass.docx >/dev/null
for docx in word_*.docx; do soffice --headless --convert-to pdf "$docx" >/dev/null; done
