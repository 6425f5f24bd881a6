#!/usr/bin/env python3
"""Writes the resume corpus in tests/resumes/ (invented people, invented companies).

Run once after changing it:  pip install fpdf2 python-docx pypdf && python3 tests/resumes/make/make_corpus.py
The generated files are committed, so the tests need no Python. The expected records
(tests/resumes/*.json) are written by hand, not by this script.
"""
import os
from docx import Document
from docx.shared import Pt
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
DEJAVU = "/usr/share/fonts/truetype/dejavu/"


def path(name):
    return os.path.join(OUT, name)


# 1. A one-column Word resume: Heading styles, bullet lists, a tab before the dates.
def word_onecolumn():
    d = Document()
    d.add_heading("Amelia Hartwell", level=0)
    d.add_paragraph("Product Designer")
    d.add_paragraph("amelia.hartwell@example.org | +44 7700 900123 | Bristol, UK | linkedin.com/in/amelia-hartwell")
    d.add_heading("Profile", level=1)
    d.add_paragraph("Designer with eight years of experience shaping tools for small teams.")
    d.add_heading("Work Experience", level=1)
    d.add_paragraph("Senior Product Designer, Lumen Labs\tMar 2021 – Present")
    d.add_paragraph("Redesigned the onboarding flow, raising activation by 18%", style="List Bullet")
    d.add_paragraph("Built the design system used by four product teams", style="List Bullet")
    d.add_paragraph("Product Designer, Northgate Software Ltd\tJune 2017 – February 2021")
    d.add_paragraph("Led research interviews with 60 customers", style="List Bullet")
    d.add_paragraph("Shipped the mobile app's first accessible release", style="List Bullet")
    d.add_heading("Education", level=1)
    d.add_paragraph("University of Leeds\t2013 – 2016")
    d.add_paragraph("BA (Hons) Graphic Design, First Class Honours")
    d.add_heading("Skills", level=1)
    d.add_paragraph("Design: Figma, Sketch, Prototyping, User Research")
    d.add_paragraph("Front end: HTML, CSS, JavaScript")
    d.add_heading("Languages", level=1)
    d.add_paragraph("English (native), French (fluent)")
    d.save(path("word_onecolumn.docx"))


# 2. A LaTeX-like one-column PDF (Jake's template's layout): small-caps headings with a rule,
#    the role and the dates on one line, the company and the place on the next.
def latex_onecolumn():
    pdf = FPDF(format="letter")
    pdf.core_fonts_encoding = "cp1252"  # bullets and dashes in the standard Times font
    pdf.set_margins(18, 15, 18)
    pdf.add_page()
    pdf.set_font("Times", "B", 22)
    pdf.cell(0, 10, "Rohan Mehta", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Times", "", 10)
    pdf.cell(0, 5, "+1 (415) 555-0142 | rohan.mehta@example.com | github.com/rohanm | San Francisco, CA", align="C", new_x="LMARGIN", new_y="NEXT")
    w = pdf.w - 36

    def heading(text):
        pdf.ln(3)
        pdf.set_font("Times", "", 13)
        pdf.cell(0, 6, text[0], new_x="END")
        pdf.set_font("Times", "", 10)
        pdf.cell(0, 6, text[1:].upper(), new_x="LMARGIN", new_y="NEXT")
        pdf.line(18, pdf.get_y(), 18 + w, pdf.get_y())
        pdf.ln(1)

    def sub(left, right, style="B"):
        pdf.set_font("Times", style, 10.5)
        pdf.cell(w / 2, 5, left)
        pdf.set_font("Times", "I" if style == "B" else "I", 10)
        pdf.cell(w / 2, 5, right, align="R", new_x="LMARGIN", new_y="NEXT")

    def bullet(text):
        pdf.set_font("Times", "", 10)
        pdf.set_x(22)
        pdf.multi_cell(w - 4, 4.6, "\u2022  " + text, new_x="LMARGIN", new_y="NEXT")

    heading("Education")
    sub("University of California, Berkeley", "Berkeley, CA")
    sub("Bachelor of Science in Electrical Engineering and Computer Sciences", "Aug. 2014 -- May 2018", "I")
    heading("Experience")
    sub("Software Engineer", "July 2020 -- Present")
    sub("Quillstone Analytics", "San Francisco, CA", "I")
    bullet("Designed a streaming ingestion service in Go that processes 2 million events per minute with at-least-once delivery")
    bullet("Cut the monthly cloud bill by 35% by moving batch jobs to spot instances")
    sub("Backend Developer", "June 2018 -- June 2020")
    sub("Harbor & Finch Inc.", "Oakland, CA", "I")
    bullet("Built REST APIs in Python and PostgreSQL for the payments team")
    bullet("Introduced contract tests that caught 40 breaking changes before release")
    heading("Projects")
    sub("Tidewatch | Rust, WebAssembly", "2021")
    bullet("An offline tide chart app compiled to WebAssembly, 3k monthly users")
    heading("Technical Skills")
    pdf.set_font("Times", "", 10)
    for line in ["Languages: Go, Python, Rust, SQL, TypeScript", "Tools: Kubernetes, Terraform, PostgreSQL, Kafka"]:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(path("latex_onecolumn.pdf"))


# 3. A two-column PDF: a sidebar with contact, skills and languages beside the main column.
def two_column():
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", DEJAVU + "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", DEJAVU + "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.set_xy(15, 15)
    pdf.cell(180, 10, "Sofia Lindqvist")
    pdf.set_font("DejaVu", "", 11)
    pdf.set_xy(15, 25)
    pdf.cell(180, 6, "Data Engineer")
    side = [("B", "CONTACT"), ("", "sofia.lindqvist@example.se"), ("", "+46 70 123 45 67"), ("", "Stockholm, Sweden"),
            ("", "github.com/sofial"), ("", ""), ("B", "SKILLS"), ("", "Python"), ("", "Apache Spark"), ("", "Airflow"),
            ("", "dbt"), ("", "Snowflake"), ("", "SQL"), ("", ""), ("B", "LANGUAGES"), ("", "Swedish (native)"),
            ("", "English (C2)"), ("", "German (B1)")]
    y = 40
    for style, text in side:
        pdf.set_font("DejaVu", style, 9.5)
        pdf.set_xy(15, y)
        pdf.cell(50, 5, text)
        y += 5.5
    main = [("B", "EXPERIENCE"), ("b", "Senior Data Engineer — Norrsken Energi AB"), ("d", "Jan 2022 – Present · Stockholm"),
            ("•", "Rebuilt the metering pipeline on Spark, cutting daily run time from 6 h to 40 min"),
            ("•", "Set up data contracts between 5 producer teams"),
            ("b", "Data Engineer — Fjordline Logistics"), ("d", "Sep 2018 – Dec 2021 · Gothenburg"),
            ("•", "Moved 300 nightly jobs from cron to Airflow"),
            ("•", "Built the shipment delay model's feature store"), ("", ""),
            ("B", "EDUCATION"), ("b", "KTH Royal Institute of Technology"), ("", "MSc Computer Science"), ("d", "2016 – 2018"),
            ("", ""), ("B", "CERTIFICATIONS"), ("", "SnowPro Core Certification, Snowflake, 2023"),
            ("", "Google Cloud Professional Data Engineer, Google, 2021")]
    y = 40
    for style, text in main:
        font = {"B": ("B", 11), "b": ("B", 10), "d": ("", 9), "•": ("", 9.5)}.get(style, ("", 9.5))
        pdf.set_font("DejaVu", font[0], font[1])
        pdf.set_xy(75, y)
        pdf.multi_cell(120, 5, ("• " + text) if style == "•" else text)
        y = pdf.get_y() + 0.8
    pdf.output(path("two_column.pdf"))


# 4. A Google-Docs-like PDF: sans serif, title-case headings, "Company — Role" and dates below.
def google_docs():
    pdf = FPDF(format="letter")
    pdf.add_font("DejaVu", "", DEJAVU + "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", DEJAVU + "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 18, 20)
    pdf.add_page()

    def line(text, style="", size=10, gap=5.2):
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, gap, text, new_x="LMARGIN", new_y="NEXT")

    line("Marcus Oyelaran", "B", 24, 11)
    line("Operations Manager · marcus.oyelaran@example.net · (312) 555-0187 · Chicago, IL")
    pdf.ln(3)
    line("Summary", "B", 13, 8)
    line("Operations manager who turns messy processes into calm, measurable ones.")
    pdf.ln(2)
    line("Experience", "B", 13, 8)
    line("Brightway Logistics — Operations Manager", "B", 10.5)
    line("April 2019 - Present, Chicago, IL")
    line("• Ran a 40-person warehouse team across two shifts")
    line("• Lowered order errors from 2.1% to 0.4% in one year")
    line("Cobalt Street Foods — Shift Supervisor", "B", 10.5)
    line("August 2015 - March 2019, Evanston, IL")
    line("• Trained 25 new staff members")
    pdf.ln(2)
    line("Education", "B", 13, 8)
    line("Loyola University Chicago", "B", 10.5)
    line("Bachelor of Business Administration, 2011 - 2015")
    pdf.ln(2)
    line("Certifications", "B", 13, 8)
    line("Certified Supply Chain Professional (CSCP), APICS, 2020")
    line("Lean Six Sigma Green Belt, ASQ, 2018")
    pdf.ln(2)
    line("Skills", "B", 13, 8)
    line("Inventory planning, Lean, Excel, SAP, Team leadership, Scheduling")
    pdf.output(path("google_docs.pdf"))


# 5. A moderncv-like PDF: dates in a left column, then role, company and city on one line.
def moderncv():
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "cp1252"
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 26)
    pdf.cell(0, 12, "Chiara Benedetti", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 12)
    pdf.cell(0, 7, "Research Scientist", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, "Via Roma 12, 40126 Bologna, Italy", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, "chiara.benedetti@example.it  |  +39 051 555 0199", new_x="LMARGIN", new_y="NEXT")

    def section(title):
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 14)
        pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")

    def entry(dates, text, bullets=()):
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(35, 5, dates, align="R")
        pdf.set_x(60)
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(130, 5, text, new_x="LMARGIN", new_y="NEXT")
        for b in bullets:
            pdf.set_x(60)
            pdf.set_font("Helvetica", "", 9.5)
            pdf.multi_cell(130, 4.8, "- " + b, new_x="LMARGIN", new_y="NEXT")

    section("Professional Experience")
    entry("2020-03 - now", "Research Scientist, Istituto Nazionale di Ottica, Florence", ["Built a photonic sensor simulator in C++ and Python", "Published 6 peer-reviewed papers"])
    entry("2017-10 - 2020-02", "Postdoctoral Researcher, Universita di Bologna, Bologna", ["Supervised 4 master's theses"])
    section("Education")
    entry("2013 - 2017", "PhD in Physics, Universita di Padova")
    entry("2011 - 2013", "MSc in Physics, Universita di Bologna")
    section("Languages")
    entry("Italian", "Mother tongue")
    entry("English", "Fluent (C1)")
    section("Computer Skills")
    entry("Programming", "C++, Python, MATLAB")
    entry("Tools", "LaTeX, Git, COMSOL")
    pdf.output(path("moderncv.pdf"))


# 6. A Word resume with unusual headings and spellings: letter-spaced headings, "Role at
#    Company", "Since 2020", "March 2017 to Now" style dates, a certifications list.
def word_unusual():
    d = Document()
    p = d.add_paragraph()
    r = p.add_run("KWAME ASANTE-BOATENG")
    r.bold = True
    r.font.size = Pt(18)
    d.add_paragraph("DevOps Engineer\tAccra, Ghana")
    d.add_paragraph("kwame.ab@example.com\t+233 24 555 0172\tgithub.com/kwameab")
    d.add_paragraph("C A R E E R   H I S T O R Y")
    d.add_paragraph("Platform Engineer at Sankofa Payments\tSince 2020")
    d.add_paragraph("Runs the Kubernetes platform for 30 services", style="List Bullet")
    d.add_paragraph("Cut deploy time from 45 to 8 minutes", style="List Bullet")
    d.add_paragraph("Systems Administrator at Volta Telecom\tMarch 2017 to Dec 2019")
    d.add_paragraph("Automated server builds with Ansible", style="List Bullet")
    d.add_paragraph("A C A D E M I C   B A C K G R O U N D")
    d.add_paragraph("Kwame Nkrumah University of Science and Technology\t2012–2016")
    d.add_paragraph("BSc Computer Engineering")
    d.add_paragraph("L I C E N S E S   &   C E R T I F I C A T I O N S")
    d.add_paragraph("Certified Kubernetes Administrator (CNCF), 2021", style="List Bullet")
    d.add_paragraph("AWS Certified SysOps Administrator – Associate, Amazon Web Services, 2019", style="List Bullet")
    d.add_paragraph("T O O L B O X")
    d.add_paragraph("Kubernetes · Terraform · Ansible · Prometheus · Bash · Go")
    d.add_paragraph("S P O K E N   L A N G U A G E S")
    d.add_paragraph("English – fluent; Twi – native; French – basic")
    d.save(path("word_unusual.docx"))


def encrypted():
    reader = PdfReader(path("google_docs.pdf"))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="open-sesame", owner_password="owner-secret", algorithm="AES-128")
    with open(os.path.join(OUT, "hostile", "encrypted.pdf"), "wb") as f:
        writer.write(f)


if __name__ == "__main__":
    word_onecolumn()
    latex_onecolumn()
    two_column()
    google_docs()
    moderncv()
    word_unusual()
    encrypted()
