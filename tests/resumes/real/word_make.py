"""Builds the Word resumes of the corpus with python-docx (`python3 word_make.py`), then
`soffice --headless --convert-to pdf` turns each into the PDF Word users export.

word_tables: a one-page resume laid out the way Word templates do it: a header table
(name left, contact right), headings in Word's Heading styles, each position as a tab-stop
line "Company<TAB>Dates" over "Role, Location", bullets from Word's numbering.
word_columns: a section in two newspaper columns (w:cols), a nurse-manager's skills and
education beside the experience, with a table for skills.
word_europass: a European-style CV as a borderless two-column table, dates in the narrow left
column and the position, employer and duties in the right one; it is saved again by
LibreOffice (`soffice --convert-to docx`), so the DOCX is LibreOffice's own XML. It was kept out
of the parser's development, to measure it on a layout it had not seen.
Invented people, written for the parser's corpus."""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Cm


def margins(doc, cm=1.8):
    for s in doc.sections:
        s.left_margin = s.right_margin = s.top_margin = s.bottom_margin = Cm(cm)


def dated(doc, left, right, bold=True, italic=False):
    """A line with a right-aligned tab stop: "Company<TAB>Dates"."""
    p = doc.add_paragraph()
    width = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    p.paragraph_format.space_after = Pt(0)
    r = p.add_run(left)
    r.bold, r.italic = bold, italic
    p.add_run("\t" + right)
    return p


def bullet(doc, text):
    p = doc.add_paragraph(text, style="List Bullet")
    p.paragraph_format.space_after = Pt(0)


def word_tables():
    doc = Document()
    margins(doc)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    name = left.paragraphs[0].add_run("Daniel Achterberg")
    name.bold, name.font.size = True, Pt(22)
    left.add_paragraph("Mechanical Engineer")
    for line in ["daniel.achterberg@example.nl", "+31 6 1234 5678", "Eindhoven, Netherlands"]:
        right.add_paragraph(line).alignment = 2
    right.paragraphs[0].text = "linkedin.com/in/dachterberg"
    right.paragraphs[0].alignment = 2

    doc.add_heading("Summary", level=1)
    doc.add_paragraph(
        "Mechanical engineer with nine years in high-precision motion systems for the semiconductor "
        "industry, from first concept to volume production."
    )
    doc.add_heading("Work Experience", level=1)
    dated(doc, "ASML", "Jan. 2019 – Present")
    dated(doc, "Senior Mechanical Design Engineer, Veldhoven", "", bold=False, italic=True)
    bullet(doc, "Own the thermal design of the reticle stage for the next-generation EUV scanner")
    bullet(doc, "Cut the settling time of the wafer stage by 22% with a new damper design")
    bullet(doc, "Mentor three junior engineers and review all stage drawings before release")
    dated(doc, "Philips Innovation Services", "09/2015 – 12/2018")
    dated(doc, "Mechanical Engineer, Eindhoven", "", bold=False, italic=True)
    bullet(doc, "Designed flexure mechanisms for medical imaging equipment")
    bullet(doc, "Ran finite-element analyses in ANSYS for vibration and thermal loads")
    dated(doc, "DAF Trucks", "Feb 2014 – Aug 2014")
    dated(doc, "Graduate Intern, Eindhoven", "", bold=False, italic=True)
    bullet(doc, "Tested a lightweight cab suspension bracket on the shaker rig")

    doc.add_heading("Education", level=1)
    dated(doc, "Eindhoven University of Technology", "2012 – 2015")
    doc.add_paragraph("MSc Mechanical Engineering, cum laude").paragraph_format.space_after = Pt(0)
    dated(doc, "Fontys University of Applied Sciences", "2008 – 2012")
    doc.add_paragraph("BEng Mechanical Engineering")

    doc.add_heading("Skills", level=1)
    doc.add_paragraph("CAD: SolidWorks, Siemens NX, Creo").paragraph_format.space_after = Pt(0)
    doc.add_paragraph("Analysis: ANSYS, MATLAB, Python").paragraph_format.space_after = Pt(0)
    doc.add_paragraph("Methods: GD&T, DFMEA, tolerance stack-ups")

    doc.add_heading("Languages", level=1)
    doc.add_paragraph("Dutch (native) · English (fluent) · German (good)")
    doc.save("word_tables.docx")


def columns(section, count):
    """Newspaper columns for a section (python-docx has no API for w:cols)."""
    sect = section._sectPr
    cols = sect.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        sect.append(cols)
    cols.set(qn("w:num"), str(count))
    cols.set(qn("w:space"), "567")


def word_columns():
    doc = Document()
    margins(doc, 1.5)
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(9.5)
    p = doc.add_paragraph()
    r = p.add_run("AMARA NWOSU")
    r.bold, r.font.size = True, Pt(20)
    p = doc.add_paragraph("Nurse Manager  |  amara.nwosu@example.co.uk  |  07700 900 812  |  Leeds, UK")
    # The rest of the page in two columns: a continuous section break, then w:cols.
    new = doc.add_section(0)  # WD_SECTION.CONTINUOUS
    columns(new, 2)
    doc.add_heading("EXPERIENCE", level=2)
    for org, role, dates, points in [
        ("Leeds Teaching Hospitals NHS Trust", "Ward Manager, Acute Medical Unit", "May 2020 – present",
         ["Lead a team of 48 nurses and healthcare assistants on a 36-bed unit",
          "Brought agency staffing spend down by £310,000 in one year",
          "Introduced safety huddles at every shift change"]),
        ("Bradford Royal Infirmary", "Senior Staff Nurse (Band 6), Respiratory Ward", "Aug 2016 – Apr 2020",
         ["Coordinated the ward's non-invasive ventilation service",
          "Designed the respiratory competency booklet used across the trust"]),
        ("Bradford Royal Infirmary", "Staff Nurse (Band 5)", "Sept 2013 – Jul 2016",
         ["Rotated through medical, surgical and elderly care wards"]),
    ]:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        r = p.add_run(role)
        r.bold = True
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.add_run(org).italic = True
        p = doc.add_paragraph(dates)
        p.paragraph_format.space_after = Pt(2)
        for point in points:
            bullet(doc, point)
    doc.add_heading("EDUCATION", level=2)
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    p.add_run("MSc Advanced Clinical Practice").bold = True
    doc.add_paragraph("University of Leeds, 2018 – 2020").paragraph_format.space_after = Pt(4)
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    p.add_run("BSc (Hons) Adult Nursing").bold = True
    doc.add_paragraph("University of Bradford, 2010 – 2013")
    # Start the second column: a column break.
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.COLUMN)
    doc.add_heading("KEY SKILLS", level=2)
    table = doc.add_table(rows=3, cols=2)
    for row, (a, b) in zip(table.rows, [("Rostering", "Clinical audit"), ("NIV", "Sepsis pathways"),
                                        ("Budgeting", "Mentoring")]):
        row.cells[0].text, row.cells[1].text = a, b
    doc.add_heading("REGISTRATION", level=2)
    bullet(doc, "NMC Registered Nurse (Adult), PIN 10A1234E")
    bullet(doc, "Non-Medical Prescriber (V300), 2021")
    doc.add_heading("LANGUAGES", level=2)
    doc.add_paragraph("English, Igbo, Yoruba")
    doc.add_heading("ACHIEVEMENTS", level=2)
    bullet(doc, "Nurse of the Year, Leeds Teaching Hospitals, 2022")
    bullet(doc, "Published in Nursing Times on safety huddles, 2021")
    doc.save("word_columns.docx")


def word_europass():
    doc = Document()
    margins(doc, 1.6)
    doc.styles["Normal"].font.name = "Liberation Sans"
    doc.styles["Normal"].font.size = Pt(10)
    p = doc.add_paragraph()
    r = p.add_run("Elena Popescu")
    r.bold, r.font.size = True, Pt(20)
    doc.add_paragraph("Str. Memorandumului 21, 400114 Cluj-Napoca, Romania")
    doc.add_paragraph("Phone: +40 722 123 456    Email: elena.popescu@example.ro")

    def block(title, rows):
        doc.add_heading(title, level=1)
        table = doc.add_table(rows=0, cols=2)
        for left, lines in rows:
            cells = table.add_row().cells
            cells[0].width, cells[1].width = Cm(4), Cm(13.5)
            cells[0].text = left
            first = True
            for kind, text in lines:
                para = cells[1].paragraphs[0] if first else cells[1].add_paragraph()
                first = False
                if kind == "bullet":
                    para.style = doc.styles["List Bullet"]
                run = para.add_run(text)
                run.bold = kind == "bold"
                run.italic = kind == "italic"

    block("Work Experience", [
        ("03/2019 – Present", [("bold", "Quality Assurance Engineer"), ("italic", "Bitdefender, Cluj-Napoca"),
                               ("bullet", "Automated regression suites for the Windows endpoint agent with Robot Framework"),
                               ("bullet", "Cut the release test cycle from nine days to three")]),
        ("07/2016 – 02/2019", [("bold", "Software Tester"), ("italic", "Endava, Cluj-Napoca"),
                               ("bullet", "Tested banking web applications for clients in the UK and the Netherlands"),
                               ("bullet", "Wrote 600 test cases in TestRail and trained two new testers")]),
        ("10/2015 – 06/2016", [("bold", "Customer Support Specialist"), ("italic", "Emag, Bucharest"),
                               ("bullet", "Answered product and delivery questions by phone and chat")]),
    ])
    block("Education and Training", [
        ("2013 – 2016", [("bold", "Bachelor's Degree in Computer Science"), ("italic", "Babeș-Bolyai University, Cluj-Napoca")]),
        ("2018", [("bold", "ISTQB Certified Tester Foundation Level"), ("italic", "ISTQB")]),
    ])
    block("Personal Skills", [
        ("Mother tongue", [("plain", "Romanian")]),
        ("Other languages", [("plain", "English – C1, French – B2, Hungarian – A2")]),
        ("Digital skills", [("plain", "Selenium, Robot Framework, Postman, SQL, Jira, Git")]),
    ])
    doc.save("/tmp/word_europass.docx")


word_tables()
word_columns()
word_europass()
