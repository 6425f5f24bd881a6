//! The words a job description asks for, found without AI and always the same way: the text is
//! cut into tokens (keeping `C++`, `C#`, `Node.js`, `CI/CD` whole), common words and the
//! boilerplate of job postings are dropped, and what is left counts as a keyword when it is
//! one of the user's own skill names (several words too: "machine learning"), a technical term
//! (`PostgreSQL`, `gRPC`, `EC2`, `AWS`), a capitalised name met in the middle of a sentence
//! (`Kubernetes`, `Terraform`, with its capitalised neighbours: `Google Cloud`), or a plain word
//! the description repeats (`observability`). Comparisons ignore case, dots and hyphens and a
//! plural `s`, so "APIs" covers "API" and "NodeJS" covers "Node.js".

use std::collections::{HashMap, HashSet};

/// The most keywords one description yields; the first ones met are kept.
pub const MAX_KEYWORDS: usize = 40;

/// One keyword of a job description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyword {
    /// As the description writes it ("PostgreSQL"), or as the user named the skill.
    pub text: String,
    /// Its tokens folded: what is compared.
    folded: Vec<String>,
}

impl Keyword {
    /// The keyword's comparison form: lower case, no dots or hyphens, no plural `s`.
    pub fn key(&self) -> String {
        self.folded.join(" ")
    }
}

/// One word of a text, with what the extractor needs to know about where it stood.
#[derive(Debug, Clone)]
struct Token {
    raw: String,
    folded: String,
    /// The first word of a sentence, a line or a list item: its capital says nothing.
    sentence_start: bool,
    /// Only spaces between it and the word before it: the two can be one name.
    joined: bool,
}

fn is_token_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '+' | '#' | '.' | '-' | '/' | '_' | '\'' | '’')
}

/// A word's comparison form.
fn fold(raw: &str) -> String {
    let raw = raw.replace('’', "'");
    let raw = raw.strip_suffix("'s").or_else(|| raw.strip_suffix("'S")).unwrap_or(&raw);
    let mut folded: String = raw.to_lowercase().chars().filter(|&c| !matches!(c, '-' | '.' | '_' | '\'')).collect();
    // "APIs", "SDKs": an acronym's plural; "systems", "engineers": a word's (not "Redis", "status").
    let letters: Vec<char> = raw.chars().collect();
    let acronym_plural =
        letters.len() >= 3 && letters[letters.len() - 1] == 's' && letters[letters.len() - 2].is_uppercase();
    let word_plural = folded.chars().count() > 3
        && folded.ends_with('s')
        && !["ss", "us", "is"].iter().any(|ending| folded.ends_with(ending));
    if acronym_plural || word_plural {
        folded.pop();
    }
    folded
}

/// Cut a piece of text between separators down to its word: leading and trailing punctuation
/// off (a leading dot stays before a letter: `.NET`). The second value says the piece ended a
/// sentence (a full stop after it).
fn trim_piece(piece: &str) -> (&str, bool) {
    let mut start = 0;
    let chars: Vec<(usize, char)> = piece.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let next_is_letter = chars.get(i + 1).is_some_and(|(_, n)| n.is_alphabetic());
        let leading_punctuation =
            matches!(c, '-' | '/' | '_' | '\'' | '’' | '+' | '#') || (c == '.' && !next_is_letter);
        if leading_punctuation {
            start = at + c.len_utf8();
        } else {
            break;
        }
    }
    let rest = &piece[start..];
    let trimmed = rest.trim_end_matches(['.', '-', '/', '_', '\'', '’']);
    let ends_sentence = rest[trimmed.len()..].contains('.');
    (trimmed, ends_sentence)
}

/// `CI/CD`, `I/O`, `UI/UX` are one term; `Go/Rust` and `React/Vue` are two.
fn split_slashes(word: &str) -> Vec<&str> {
    let parts: Vec<&str> = word.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() <= 3 && parts.iter().all(|p| p.chars().count() <= 3) {
        vec![word]
    } else {
        parts
    }
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut piece = String::new();
    let (mut sentence_start, mut joined) = (true, false);
    for c in text.chars().chain(std::iter::once('\n')) {
        if is_token_char(c) {
            piece.push(c);
            continue;
        }
        if !piece.is_empty() {
            let (word, ends_sentence) = trim_piece(&piece);
            if word.chars().any(char::is_alphanumeric) {
                for (k, part) in split_slashes(word).into_iter().enumerate() {
                    let folded = fold(part);
                    if folded.is_empty() {
                        continue;
                    }
                    out.push(Token {
                        raw: part.to_owned(),
                        folded,
                        sentence_start: sentence_start && k == 0,
                        joined: joined && k == 0,
                    });
                }
                sentence_start = ends_sentence;
                joined = !ends_sentence;
            } else {
                // A lone `-` or `*`: a list item's bullet.
                sentence_start = true;
                joined = false;
            }
            piece.clear();
        }
        match c {
            ' ' | '\t' | '\u{a0}' => {}
            '\n' | '\r' | '!' | '?' | ':' | ';' | '•' | '·' | '*' | '|' | '▪' | '◦' => {
                sentence_start = true;
                joined = false;
            }
            _ => joined = false,
        }
    }
    out
}

/// Words that say nothing about the work: English's own and the boilerplate of job postings.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "else",
    "etc",
    "eg",
    "ie",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "go",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "let",
    "like",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "please",
    "same",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "new",
    "two",
    "three",
    "many",
    "several",
    "least",
    "plus",
    "able",
    "ability",
    "abilities",
    "apply",
    "applicant",
    "applicants",
    "application",
    "applications",
    "benefit",
    "benefits",
    "bonus",
    "candidate",
    "candidates",
    "career",
    "careers",
    "company",
    "compensation",
    "competitive",
    "culture",
    "day",
    "days",
    "degree",
    "equal",
    "employer",
    "employment",
    "environment",
    "equivalent",
    "experience",
    "experienced",
    "excellent",
    "familiarity",
    "familiar",
    "great",
    "good",
    "strong",
    "help",
    "helping",
    "hire",
    "hiring",
    "ideal",
    "ideally",
    "including",
    "include",
    "includes",
    "interest",
    "interested",
    "job",
    "join",
    "joining",
    "knowledge",
    "looking",
    "location",
    "make",
    "making",
    "mission",
    "nice",
    "opportunity",
    "opportunities",
    "offer",
    "offers",
    "opening",
    "people",
    "preferred",
    "position",
    "qualification",
    "qualifications",
    "related",
    "relevant",
    "required",
    "requirement",
    "requirements",
    "responsibility",
    "responsibilities",
    "role",
    "roles",
    "salary",
    "skill",
    "skills",
    "team",
    "teams",
    "understanding",
    "want",
    "ways",
    "way",
    "work",
    "working",
    "works",
    "world",
    "year",
    "years",
    "yrs",
    "senior",
    "junior",
    "staff",
    "principal",
    "lead",
    "engineer",
    "engineers",
    "engineering",
    "developer",
    "developers",
    "manager",
    "intern",
    "head",
    "remote",
    "hybrid",
    "onsite",
    "office",
    "full",
    "time",
    "part",
    "contract",
    "permanent",
    "who",
    "love",
    "passion",
    "passionate",
    "proven",
    "track",
    "record",
    "hands",
    "plus",
    "bonus",
    "must",
    "need",
    "needs",
    "will",
    "what",
    "youll",
    "youre",
    "well",
    "weve",
    "theyre",
    "dont",
    "etc",
    "using",
    "use",
    "used",
    "building",
    "build",
    "builds",
    "own",
    "owning",
    "drive",
    "driving",
    "deliver",
    "delivering",
    "support",
    "supporting",
    "ensure",
    "ensuring",
    "across",
    "closely",
    "collaborate",
    "collaborating",
    "collaboration",
    "communication",
    "communicate",
    "cross",
    "functional",
    "fast",
    "paced",
    "high",
    "quality",
    "impact",
    "best",
    "practice",
    "practices",
    "solution",
    "solutions",
    "problem",
    "problems",
    "complex",
    "scale",
    "grow",
    "growth",
    "growing",
    "product",
    "products",
    "customer",
    "customers",
    "user",
    "users",
    "business",
    "values",
    "value",
    "diverse",
    "diversity",
    "inclusive",
    "inclusion",
    "background",
    "backgrounds",
    "gender",
    "race",
    "religion",
    "national",
    "origin",
    "age",
    "disability",
    "veteran",
    "status",
    "sexual",
    "orientation",
    "identity",
    "protected",
    "law",
    "service",
    "services",
    "system",
    "systems",
    "platform",
    "platforms",
    "tool",
    "tools",
    "encourage",
    "regardless",
    "about",
    "description",
    "summary",
    "overview",
    "responsible",
    "successful",
    "success",
    "level",
    "minimum",
    "bachelor",
    "bachelors",
    "master",
    "masters",
    "phd",
    "bs",
    "ba",
    "ms",
    "field",
    "similar",
    "based",
    "other",
    "others",
    "new",
    "uk",
    "usa",
    "eu",
    "eeo",
    "pto",
    "ote",
    "faq",
    "hr",
    "ceo",
    "cto",
    "vp",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "monday",
    "friday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn is_stop_word(token: &Token) -> bool {
    let lower = token.raw.to_lowercase();
    STOP_WORDS.contains(&lower.as_str()) || STOP_WORDS.contains(&token.folded.as_str())
}

/// `PostgreSQL`, `gRPC`, `AWS`, `EC2`, `C++`, `C#`, `Node.js`, `.NET`, `CI/CD`: a word written
/// the way only technical terms are.
fn is_technical(raw: &str) -> bool {
    let Some(first) = raw.chars().next() else { return false };
    let has_letter = raw.chars().any(char::is_alphabetic);
    let letter_then_digit = first.is_alphabetic() && raw.chars().any(|c| c.is_ascii_digit());
    let symbol = raw.contains(['+', '#']);
    let dotted = raw.trim_start_matches('.').contains('.') || raw.starts_with('.');
    let slashed = raw.contains('/');
    let inner_capital =
        raw.chars().skip(1).any(char::is_uppercase) && raw.chars().filter(|c| c.is_alphabetic()).count() >= 2;
    has_letter && (letter_then_digit || symbol || dotted || slashed || inner_capital)
}

/// `Kubernetes`, `Terraform`: a capital, then lower case.
fn is_capitalised(raw: &str) -> bool {
    let mut chars = raw.chars();
    chars.next().is_some_and(char::is_uppercase)
        && raw.chars().count() >= 2
        && chars.all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '-' || c == '\'')
}

/// Where `needle`'s folded tokens appear in a row in `words` (not overlapping), first first.
fn find_all(words: &[Token], needle: &[String], exact_case: Option<&str>) -> Vec<usize> {
    let mut found = Vec::new();
    if needle.is_empty() || needle.len() > words.len() {
        return found;
    }
    let mut at = 0;
    while at + needle.len() <= words.len() {
        let here = words[at..at + needle.len()].iter().zip(needle).all(|(t, n)| &t.folded == n)
            && exact_case.is_none_or(|raw| words[at].raw == raw);
        if here {
            found.push(at);
            at += needle.len();
        } else {
            at += 1;
        }
    }
    found
}

/// The keywords of `description`, in the order it first names them (at most
/// [`MAX_KEYWORDS`]). `known` are names the user gave their own skills; `ignored` are words not
/// to count (the company's name and the place, which every posting repeats).
pub fn extract(description: &str, known: &[&str], ignored: &[&str]) -> Vec<Keyword> {
    let words = tokens(description);
    let ignored: HashSet<String> = ignored.iter().flat_map(|text| tokens(text)).map(|t| t.folded).collect();
    let mut found: Vec<(usize, Keyword)> = Vec::new();
    let mut taken = vec![false; words.len()];
    let mut seen: HashSet<String> = HashSet::new();
    let mut add = |found: &mut Vec<(usize, Keyword)>, at: usize, keyword: Keyword| {
        if seen.insert(keyword.key()) {
            found.push((at, keyword));
        }
    };

    // The user's own skills, the longest names first so "Google Cloud Platform" wins over "Google Cloud".
    let mut known: Vec<(Vec<Token>, &str)> =
        known.iter().map(|name| (tokens(name), name.trim())).filter(|(t, _)| !t.is_empty() && t.len() <= 6).collect();
    known.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.1.cmp(b.1)));
    for (name_words, name) in &known {
        let needle: Vec<String> = name_words.iter().map(|t| t.folded.clone()).collect();
        // A one-word skill that is also a common word ("Go", "C") counts only as written.
        let exact = (name_words.len() == 1 && is_stop_word(&name_words[0])).then(|| name_words[0].raw.as_str());
        let places = find_all(&words, &needle, exact);
        // Every mention is taken, so its words are not counted again on their own.
        for &at in &places {
            taken[at..at + needle.len()].iter_mut().for_each(|t| *t = true);
        }
        if let Some(&first) = places.first() {
            add(&mut found, first, Keyword { text: (*name).to_owned(), folded: needle });
        }
    }

    let counts: HashMap<&str, usize> = words.iter().fold(HashMap::new(), |mut counts, t| {
        *counts.entry(t.folded.as_str()).or_default() += 1;
        counts
    });
    let candidate = |t: &Token| !is_stop_word(t) && !ignored.contains(&t.folded) && t.folded.chars().count() >= 2;
    let mut i = 0;
    while i < words.len() {
        let token = &words[i];
        if taken[i] || !candidate(token) {
            i += 1;
            continue;
        }
        let technical = is_technical(&token.raw);
        let name = is_capitalised(&token.raw) && !token.sentence_start;
        if technical || name {
            // Its capitalised or technical neighbours make one name with it: "Google Cloud".
            let mut end = i + 1;
            while end < words.len()
                && end - i < 3
                && !taken[end]
                && words[end].joined
                && candidate(&words[end])
                && (is_capitalised(&words[end].raw) || is_technical(&words[end].raw))
            {
                end += 1;
            }
            let run = &words[i..end];
            let text = run.iter().map(|t| t.raw.as_str()).collect::<Vec<_>>().join(" ");
            add(&mut found, i, Keyword { text, folded: run.iter().map(|t| t.folded.clone()).collect() });
            i = end;
            continue;
        }
        // A plain word that comes back: what the work is about ("observability", "payments").
        let plain = token.raw.chars().all(char::is_alphabetic) && token.folded.chars().count() >= 5;
        if plain && counts.get(token.folded.as_str()).copied().unwrap_or(0) >= 2 {
            add(&mut found, i, Keyword { text: token.raw.to_lowercase(), folded: vec![token.folded.clone()] });
        }
        i += 1;
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, keyword)| keyword).take(MAX_KEYWORDS).collect()
}

/// Texts made ready for keyword lookups (a resume's records, say), each on its own so a name
/// is never read across two of them.
#[derive(Debug, Clone, Default)]
pub struct Searchable {
    parts: Vec<Vec<String>>,
}

impl Searchable {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        Searchable {
            parts: texts.into_iter().map(|text| tokens(text).into_iter().map(|t| t.folded).collect()).collect(),
        }
    }

    /// Whether any of the texts names the keyword.
    pub fn mentions(&self, keyword: &Keyword) -> bool {
        let needle = &keyword.folded;
        self.parts
            .iter()
            .any(|part| !needle.is_empty() && part.windows(needle.len()).any(|window| window == needle.as_slice()))
    }
}

/// Which of a description's keywords a resume names, and which it misses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub covered: Vec<String>,
    pub missing: Vec<String>,
}

impl Coverage {
    pub fn of(keywords: &[Keyword], resume: &Searchable) -> Self {
        let (covered, missing): (Vec<&Keyword>, Vec<&Keyword>) = keywords.iter().partition(|k| resume.mentions(k));
        Coverage {
            covered: covered.into_iter().map(|k| k.text.clone()).collect(),
            missing: missing.into_iter().map(|k| k.text.clone()).collect(),
        }
    }

    /// The share covered, as a whole percentage (100 when there is nothing to cover).
    pub fn percent(&self) -> usize {
        let total = self.covered.len() + self.missing.len();
        (self.covered.len() * 100).checked_div(total).unwrap_or(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(keywords: &[Keyword]) -> Vec<&str> {
        keywords.iter().map(|k| k.text.as_str()).collect()
    }

    const BACKEND_POSTING: &str = "\
About the role
Acme is hiring a Senior Backend Engineer to join our Payments team in London.

What you'll do:
- Design and build distributed systems in Rust and Go that move money for millions of customers.
- Own our PostgreSQL and Redis clusters on AWS (EC2, S3) and keep their latency low.
- Improve observability with OpenTelemetry and Grafana; drive our CI/CD pipeline.

What we're looking for:
- 5+ years of experience with Rust, C++ or Java.
- Experience with Kubernetes and Terraform; familiarity with gRPC and Node.js is a plus.
- You care about observability, latency and correctness in distributed systems.

Acme is an equal opportunity employer.";

    #[test]
    fn a_backend_posting_yields_its_technologies_and_themes() {
        let keywords = extract(BACKEND_POSTING, &["Distributed systems", "Go", "Python"], &["Acme", "London"]);
        let found = texts(&keywords);
        for expected in [
            "Distributed systems",
            "Rust",
            "Go",
            "PostgreSQL",
            "Redis",
            "AWS",
            "EC2",
            "S3",
            "observability",
            "OpenTelemetry",
            "Grafana",
            "CI/CD",
            "C++",
            "Java",
            "Kubernetes",
            "Terraform",
            "gRPC",
            "Node.js",
            "latency",
        ] {
            assert!(found.contains(&expected), "{expected:?} not among {found:?}");
        }
        // The company, the place, titles and boilerplate are not keywords; nor is a skill the
        // posting never names.
        for noise in ["Acme", "London", "Senior", "Engineer", "Backend Engineer", "What", "About", "Python", "years"] {
            assert!(!found.iter().any(|k| k.eq_ignore_ascii_case(noise)), "{noise:?} among {found:?}");
        }
        // In the order the posting names them, each once.
        let position = |k: &str| found.iter().position(|f| *f == k).unwrap();
        assert!(position("Rust") < position("PostgreSQL") && position("PostgreSQL") < position("Kubernetes"));
        assert_eq!(found.iter().filter(|k| k.eq_ignore_ascii_case("observability")).count(), 1);
    }

    #[test]
    fn capitalised_neighbours_make_one_name_and_sentence_starts_do_not_count() {
        let posting = "You will run services on Google Cloud and Microsoft Azure Functions.\n\
                       Strong communicators thrive here. Monitoring matters to us.";
        let found = extract(posting, &[], &[]);
        assert_eq!(texts(&found), ["Google Cloud", "Microsoft Azure Functions"]);
    }

    #[test]
    fn a_one_word_skill_that_is_a_common_word_counts_only_as_written() {
        let known = ["Go", "R"];
        assert!(extract("We go further together, and our data scientists use R daily.", &known, &[])
            .iter()
            .all(|k| k.text != "Go"));
        assert_eq!(texts(&extract("Services written in Go.", &known, &[])), ["Go"]);
    }

    #[test]
    fn frontend_posting_with_bullets_and_slashes() {
        let posting = "Responsibilities\n\
                       • Build accessible interfaces in React/TypeScript\n\
                       • Work with designers on UI/UX and our design system\n\
                       • Write tests with Jest and Playwright\n\
                       Nice to have: GraphQL, Next.js, accessibility audits (WCAG 2.1).";
        let found = extract(posting, &["design systems"], &[]);
        let found = texts(&found);
        for expected in
            ["React", "TypeScript", "UI/UX", "design systems", "Jest", "Playwright", "GraphQL", "Next.js", "WCAG"]
        {
            assert!(found.contains(&expected), "{expected:?} not among {found:?}");
        }
        assert!(!found.contains(&"Build") && !found.contains(&"Responsibilities"), "{found:?}");
    }

    #[test]
    fn an_empty_or_wordless_description_has_no_keywords_and_a_long_one_is_capped() {
        assert!(extract("", &["Rust"], &[]).is_empty());
        assert!(extract("!!! --- ... 2024 / 5+", &[], &[]).is_empty());
        let many: String = (0..200).map(|i| format!("uses Tool{i} daily. ")).collect();
        assert_eq!(extract(&many, &[], &[]).len(), MAX_KEYWORDS);
    }

    #[test]
    fn coverage_ignores_case_dots_hyphens_and_plurals() {
        let keywords = extract("Build APIs in Node.js on Kubernetes with real-time PostgreSQL replicas.", &[], &[]);
        assert_eq!(texts(&keywords), ["APIs", "Node.js", "Kubernetes", "PostgreSQL"]);
        let resume = Searchable::new(["Designed the public API", "NodeJS services", "Led the postgresql upgrade"]);
        let coverage = Coverage::of(&keywords, &resume);
        assert_eq!(coverage.covered, ["APIs", "Node.js", "PostgreSQL"]);
        assert_eq!(coverage.missing, ["Kubernetes"]);
        assert_eq!(coverage.percent(), 75);
        // A name is never read across two texts.
        let cloud = extract("Experience on Google Cloud is needed.", &[], &[]);
        assert!(!Searchable::new(["Google", "Cloud"]).mentions(&cloud[0]));
        assert!(Searchable::new(["Ran it on google cloud"]).mentions(&cloud[0]));
        assert_eq!(Coverage::default().percent(), 100);
    }
}
