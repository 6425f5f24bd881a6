"""Seed a benchmark instance through its web forms and API (used by scripts/bench).

    seed.py PORT PASSWORD COOKIE_FILE WHAT...

Signs in as bench@example.com through the login form, writes that session's cookie to
COOKIE_FILE (wrk sends it for the signed-in pages), makes an API token, then seeds each WHAT:

  profile  a realistic public resume at /u/bench: 20 experiences, 50 skills, 10 projects,
           30 achievements, 50 public journal entries
  jobs     a job search at scale: 5 000 opportunities (about 4 450 status changes on their
           timelines) and 10 000 interviews, 8 requests at a time
"""
import concurrent.futures
import datetime
import http.cookiejar
import json
import random
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

port, password, cookie_file, *what = sys.argv[1:]
if not what or set(what) - {"profile", "jobs"}:
    sys.exit(__doc__)
base = f"http://127.0.0.1:{port}"
jar = http.cookiejar.CookieJar()


class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay())


def page(path):
    try:
        return web.open(base + path).read().decode()
    except urllib.error.HTTPError as e:
        return e.read().decode()


def form(path, fields, from_page):
    token = re.search(r'name="_csrf" value="([^"]+)"', page(from_page)).group(1)
    data = urllib.parse.urlencode([("_csrf", token)] + fields).encode()
    try:
        return web.open(urllib.request.Request(base + path, data=data)).read().decode()
    except urllib.error.HTTPError as e:
        return e.read().decode()


# Signing in through the login form gives the session whose cookie wrk sends.
form("/login", [("email", "bench@example.com"), ("password", password)], "/login")
token = re.search(r"(clg_[A-Za-z0-9_-]{43})", form("/settings/tokens", [("name", "bench")], "/settings/tokens")).group(1)
cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
if "session" not in cookie:
    sys.exit("signing in through /login gave no session cookie")
with open(cookie_file, "w") as f:
    f.write(cookie)


def api(method, path, body):
    request = urllib.request.Request(base + "/api/v1" + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path} answered {e.code}: {e.read().decode()[:500]}")


def profile():
    started = time.monotonic()
    labels = ["Rust", "Leadership", "Data", "Cloud", "Mentoring"]
    for name in labels:
        api("POST", "/labels", {"name": name, "is_public": True})
    api("PATCH", "/profile", {"username": "bench", "display_name": "Benedict Marks", "job_title": "Principal Engineer",
                              "region": "Yorkshire", "bio": "Builds reliable data systems and the teams that run them.",
                              "resume_public": True, "journal_public": True, "allow_indexing": True})
    experiences = []
    for i in range(20):
        start = 2004 + i
        experiences.append(api("POST", "/experiences", {
            "role": f"Engineer, level {i + 1}", "company": f"Company {i + 1}", "location": "Leeds, UK",
            "start_date": f"{start}-0{1 + i % 9}", "end_date": None if i == 19 else f"{start + 1}-0{1 + i % 9}",
            "current": i == 19, "description": "Led the platform team through a migration to a new storage engine. " * 3,
            "highlights": [f"Cut cost by {10 + i}%", "Mentored four engineers", "Shipped on time"],
            "labels": labels[i % 5: i % 5 + 2]}))
    for i in range(50):
        api("POST", "/skills", {"name": f"Skill {i + 1}", "category": ["Languages", "Data", "Cloud", "People"][i % 4],
                                "level": ["beginner", "intermediate", "advanced", "expert"][i % 4], "labels": [labels[i % 5]]})
    for i in range(10):
        api("POST", "/projects", {"name": f"Project {i + 1}", "role": "Maintainer", "kind": "Open source",
                                  "url": f"https://example.com/p{i}", "start_date": f"{2012 + i}",
                                  "description": "A tool people use every day. " * 4, "labels": [labels[i % 5]]})
    for i in range(30):
        api("POST", "/achievements", {"title": f"Achievement {i + 1}", "date": f"{2005 + i % 20}-0{1 + i % 9}",
                                      "description": "Reduced the p99 latency of the search API by half.",
                                      "experience_id": experiences[i % 20]["id"], "labels": [labels[i % 5]]})
    for i in range(50):
        api("POST", "/journal", {"title": f"Week {i + 1}: what I learned", "entry_date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                                 "body": "## Notes\n\nWe **shipped** the thing.\n\n- one\n- two\n\n" + "More words. " * 40,
                                 "is_public": True, "labels": [labels[i % 5]]})
    print(f"    the public resume's records in {time.monotonic() - started:.0f} s", file=sys.stderr)


def jobs():
    OPPORTUNITIES, INTERVIEWS, WORKERS = 5000, 10000, 8
    rng = random.Random(5000)
    today = datetime.date.today()
    # Where each opportunity ends up (weights in percent), and the statuses it passes through: every
    # step after the first is a PATCH, so a status change on its timeline that the funnel counts.
    FINAL = {"saved": 15, "applied": 30, "screening": 10, "interviewing": 10, "offer": 3, "accepted": 1,
             "rejected": 18, "withdrawn": 3, "ghosted": 10}
    LADDER = ["applied", "screening", "interviewing", "offer", "accepted"]

    def path_to(final):
        if final == "saved":
            return ["saved"]
        if final in LADDER:
            return LADDER[:LADDER.index(final) + 1]
        if final == "rejected":
            return LADDER[:rng.randint(1, 3)] + ["rejected"]
        return ["applied", final]
    OPEN = {"saved", "applied", "screening", "interviewing", "offer"}
    LABELS = ["Remote", "Rust", "Fintech", "Startup", "Referral", "Berlin"]
    ROLES = ["Backend Engineer", "Senior Rust Engineer", "Platform Engineer", "Staff Engineer", "Data Engineer",
             "Engineering Manager", "Site Reliability Engineer", "Full-stack Developer"]
    ACTIONS = ["Follow up with the recruiter", "Send a thank-you note", "Prepare the take-home", "Ask about salary band"]

    plans = []
    for i in range(OPPORTUNITIES):
        final = rng.choices(list(FINAL), weights=FINAL.values())[0]
        steps = path_to(final)
        body = {"company": f"Company {i % 900 + 1}", "role": rng.choice(ROLES), "status": steps[0],
                "description": "Build and run the services behind our product. " * 6,
                "location": rng.choice(["Berlin", "Remote", "Hamburg", "Munich", "Amsterdam"]),
                "work_mode": rng.choice(["remote", "hybrid", "onsite"]), "salary_min": 70000 + 1000 * rng.randint(0, 30),
                "salary_max": 110000 + 1000 * rng.randint(0, 40), "currency": "EUR",
                "source": rng.choice(["LinkedIn", "Referral", "Company site", "Recruiter"]),
                "labels": rng.sample(LABELS, rng.randint(1, 2))}
        if final in OPEN and rng.random() < 0.7:
            body["next_action"] = rng.choice(ACTIONS)
            body["next_action_due"] = (today + datetime.timedelta(days=rng.randint(-30, 30))).isoformat()
        plans.append((final, body, steps[1:]))

    def create(plan):
        final, body, later = plan
        opportunity_id = api("POST", "/opportunities", body)["id"]
        for status in later:
            api("PATCH", f"/opportunities/{opportunity_id}", {"status": status})
        return opportunity_id, final

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        created = list(pool.map(create, plans))
    changes = sum(len(later) for _, _, later in plans)
    seconds = time.monotonic() - started
    print(f"    {len(created)} opportunities and {changes} status changes in {seconds:.0f} s", file=sys.stderr)

    # Most interviews belong to opportunities that got past applying; the rest to any.
    further = [oid for oid, final in created if final not in ("saved", "applied", "withdrawn", "ghosted")]
    everyone = [oid for oid, _ in created]
    KINDS = ["phone_screen", "technical", "behavioural", "system_design", "panel", "onsite", "other"]

    def interview_body(i):
        # 85% over the past six months, 15% over the next three: about 2% in the next two weeks.
        if rng.random() < 0.85:
            day = today - datetime.timedelta(days=rng.randint(1, 182))
        else:
            day = today + datetime.timedelta(days=rng.randint(1, 91))
        start = datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.choice([0, 30])))
        return {"opportunity_id": rng.choice(further if rng.random() < 0.8 else everyone),
                "round_name": f"Round {i % 5 + 1}", "kind": rng.choice(KINDS),
                "start": start.strftime("%Y-%m-%dT%H:%M"), "time_zone": "Europe/Berlin", "duration_minutes": 60}
    bodies = [interview_body(i) for i in range(INTERVIEWS)]
    fortnight = (today + datetime.timedelta(days=14)).isoformat()
    upcoming = sum(1 for b in bodies if today.isoformat() < b["start"] < fortnight)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        done = list(pool.map(lambda b: api("POST", "/interviews", b), bodies))
    seconds = time.monotonic() - started
    print(f"    {len(done)} interviews ({upcoming} in the next 14 days) in {seconds:.0f} s", file=sys.stderr)


for step in what:
    {"profile": profile, "jobs": jobs}[step]()
