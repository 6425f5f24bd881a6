//! Reading what people type into forms (issue 12, item 13): dates as they say them ("March 2017",
//! "5th March 2017", "03/2017") and salaries as they write them ("£95,000", "95k", "90-110k").
//! Each reader turns the text into the canonical form the strict validators take, or says in a
//! sentence why it cannot. Only forms read this way (see [`Draft::read_typed`]); the API takes
//! the canonical forms its document states.
//!
//! [`Draft::read_typed`]: crate::domain::records::Draft::read_typed

use crate::domain::fields::PartialDate;
use crate::domain::FieldErrors;

/// What the user's settings add to reading a form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypedInput {
    /// The currency a salary is in when none is typed: three upper-case letters.
    pub default_currency: Option<String>,
}

/// The longest text the readers look at: nobody types a date or an amount longer than this.
const MAX_TYPED: usize = 60;

/// The date hint of a form, and the end of its message for a date it cannot read.
pub const DATE_HINT: &str =
    "Type a year (2021), a month (March 2021, 03/2021 or 2021-03) or a date (5 March 2021 or 2021-03-05).";

/// What was typed, short enough to quote in a message.
fn quoted(input: &str) -> String {
    let text = input.trim();
    let mut shown: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        shown.push('…');
    }
    shown
}

// ---- dates ----

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month by its English name, in full or cut short to at least three letters (`Mar`,
/// `Sept`, `Febr`), in any case.
fn month_named(word: &str) -> Option<u8> {
    if word.chars().count() < 3 {
        return None;
    }
    MONTH_NAMES.iter().position(|name| name.starts_with(word)).map(|index| index as u8 + 1)
}

/// One piece of a typed date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Digits: how many, their value, and whether an ordinal's ending followed (`5th`).
    Number {
        value: u32,
        digits: usize,
        ordinal: bool,
    },
    Month(u8),
}

impl Part {
    fn year(self) -> Option<u32> {
        match self {
            Part::Number { value, digits: 4, ordinal: false } => Some(value),
            _ => None,
        }
    }
    /// A month or a day written as one or two digits.
    fn small(self) -> Option<u32> {
        match self {
            Part::Number { value, digits: 1 | 2, ordinal: false } => Some(value),
            _ => None,
        }
    }
    /// A day: one or two digits, perhaps with an ordinal's ending.
    fn day(self) -> Option<u32> {
        match self {
            Part::Number { value, digits: 1 | 2, .. } => Some(value),
            _ => None,
        }
    }
    fn month_word(self) -> Option<u32> {
        match self {
            Part::Month(month) => Some(u32::from(month)),
            _ => None,
        }
    }
}

/// The pieces of a typed date: numbers and month names, with spaces, commas, dots, slashes and
/// dashes between them and the filler words "of" and "the". `None` for anything else.
fn date_parts(text: &str) -> Option<Vec<Part>> {
    let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits = i - start;
            if digits > 4 {
                return None;
            }
            let value: u32 = chars[start..i].iter().collect::<String>().parse().ok()?;
            let ending: String = chars[i..].iter().take_while(|c| c.is_alphabetic()).collect();
            let ordinal = !ending.is_empty();
            if ordinal {
                if digits > 2 || !matches!(ending.as_str(), "st" | "nd" | "rd" | "th") {
                    return None;
                }
                i += 2;
            }
            parts.push(Part::Number { value, digits, ordinal });
        } else if c.is_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word != "of" && word != "the" {
                parts.push(Part::Month(month_named(&word)?));
            }
        } else if c.is_whitespace() || matches!(c, ',' | '.' | '/' | '-' | '–' | '—') {
            i += 1;
        } else {
            return None;
        }
        if parts.len() > 3 {
            return None;
        }
    }
    Some(parts)
}

/// What the pieces of a date say: a year, month and day as far as given, or two numbers either
/// of which could be the month.
enum Reading {
    Date(u32, Option<u32>, Option<u32>),
    /// `03/05/2017`: the third of May, or March the fifth.
    Ambiguous {
        first: u32,
        second: u32,
        year: u32,
    },
}

fn read_parts(parts: &[Part]) -> Option<Reading> {
    let date = |y, m, d| Some(Reading::Date(y, m, d));
    match *parts {
        [a] => date(a.year()?, None, None),
        [a, b] => match (a.year(), b.year()) {
            // 2017-03, 2017/3, 2017 March
            (Some(y), None) => date(y, Some(b.small().or_else(|| b.month_word())?), None),
            // 03/2017, 3.2017, March 2017, Sept 2017
            (None, Some(y)) => date(y, Some(a.small().or_else(|| a.month_word())?), None),
            _ => None,
        },
        [a, b, c] => {
            if let Some(y) = a.year() {
                // 2017-03-05, 2017 March 5
                let m = b.small().or_else(|| b.month_word())?;
                return date(y, Some(m), Some(c.day()?));
            }
            let y = c.year()?;
            match (a, b) {
                // March 5, 2017; March 5th 2017
                (Part::Month(m), _) => date(y, Some(u32::from(m)), Some(b.day()?)),
                // 5 March 2017; 5th of March 2017
                (_, Part::Month(m)) => date(y, Some(u32::from(m)), Some(a.day()?)),
                // 13/05/2017, 05/13/2017, 05.03.2017
                _ => {
                    let (first, second) = (a.small()?, b.small()?);
                    match (first, second) {
                        // No month or day 0 (and "1-0-2017" is no question of which comes first).
                        (0, _) | (_, 0) => None,
                        (f, s) if f == s || (f > 12 && s <= 12) => date(y, Some(s), Some(f)),
                        (f, s) if s > 12 && f <= 12 => date(y, Some(f), Some(s)),
                        (f, s) if f <= 12 && s <= 12 => Some(Reading::Ambiguous { first: f, second: s, year: y }),
                        _ => None,
                    }
                }
            }
        }
        _ => None,
    }
}

fn month_title(month: u32) -> String {
    let name = MONTH_NAMES[(month - 1) as usize];
    let mut chars = name.chars();
    chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// A date as people type it, in the canonical text [`PartialDate`] reads: `2017`, `2017-03` or
/// `2017-03-05`. Takes `2017`, `2017-03`, `2017-3`, `2017/03`, `03/2017`, `3.2017`,
/// `March 2017`, `Mar 2017`, `mar. 2017`, `Sept 2017`, `5 March 2017`, `5th of March 2017`,
/// `March 5, 2017` and `2017-03-05`; month names in English, in full or cut to three or more
/// letters, in any case. An all-numeric date whose first two numbers could each be the month
/// (`03/05/2017`: 3 May in Europe, March 5 in the US) is refused, saying so; `13/05/2017` and
/// `05/13/2017` can be read only one way and are taken. Years run from 1900 to 2100.
pub fn date(input: &str) -> Result<String, String> {
    let text = input.trim();
    let not_a_date = || format!("“{}” is not a date. {DATE_HINT}", quoted(text));
    if text.is_empty() || text.chars().count() > MAX_TYPED {
        return Err(not_a_date());
    }
    let reading = date_parts(text).as_deref().and_then(read_parts).ok_or_else(not_a_date)?;
    let (year, month, day) = match reading {
        Reading::Date(year, month, day) => (year, month, day),
        Reading::Ambiguous { first, second, year } => {
            return Err(format!(
                "“{}” could be {first} {} {year} or {} {second}, {year}. Write the month as a word, such as \
                 {first} {} {year}, or as {year}-{second:02}-{first:02}.",
                quoted(text),
                month_title(second),
                month_title(first),
                month_title(second),
            ));
        }
    };
    if !(1900..=2100).contains(&year) {
        return Err("Give a year between 1900 and 2100.".into());
    }
    let canonical = match (month, day) {
        (None, _) => format!("{year:04}"),
        (Some(m), None) => format!("{year:04}-{m:02}"),
        (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
    };
    match PartialDate::parse(&canonical) {
        Ok(parsed) => Ok(parsed.to_string()),
        Err(_) => match (month, day) {
            (Some(m @ 1..=12), Some(d @ 1..)) => Err(format!("There is no {d} {} {year}.", month_title(m))),
            _ => Err(not_a_date()),
        },
    }
}

/// A full date (a journal entry's, a next action's due day), read as [`date`] reads it; a year
/// or a month alone is refused.
pub fn day(input: &str) -> Result<String, String> {
    let canonical = date(input)?;
    if canonical.len() == 10 {
        Ok(canonical)
    } else {
        Err("Give the full date, such as 5 March 2021 or 2021-03-05.".into())
    }
}

/// A form's date field read as typed: rewritten in canonical form, or its message added to
/// `errors`. An empty field stays empty (the validator says whether it may be).
pub fn read_date(errors: &mut FieldErrors, field: &str, value: &mut String) {
    read_with(errors, field, value, date);
}

/// A form's full-date field read as typed (see [`day`]).
pub fn read_day(errors: &mut FieldErrors, field: &str, value: &mut String) {
    read_with(errors, field, value, day);
}

fn read_with(errors: &mut FieldErrors, field: &str, value: &mut String, read: fn(&str) -> Result<String, String>) {
    if value.trim().is_empty() {
        return;
    }
    match read(value) {
        Ok(canonical) => *value = canonical,
        Err(message) => errors.add(field, message),
    }
}

// ---- salaries ----

/// The most a salary may be, as the strict validator has it.
pub const SALARY_MAX: i64 = 1_000_000_000;

/// A salary as typed: one amount or a range, and the currency its symbol or code names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salary {
    pub min: i64,
    /// The top of a range typed in one box (`90-110k`).
    pub max: Option<i64>,
    /// Three upper-case letters, when a symbol or a code was typed.
    pub currency: Option<String>,
}

/// Currency symbols and what they stand for. `$` is read as US dollars: someone paid in
/// another dollar types its code (`CAD 120k`, `120k AUD`).
const SYMBOLS: [(&str, &str); 6] =
    [("us$", "USD"), ("£", "GBP"), ("$", "USD"), ("€", "EUR"), ("¥", "JPY"), ("₹", "INR")];

/// A currency as typed in a currency field: a symbol (`£`, `$` as USD, `€`, `¥`, `₹`) or a
/// three-letter code in any case, as the code in capitals. `None` for anything else.
pub fn currency(input: &str) -> Option<String> {
    let text = input.trim().to_lowercase();
    if let Some((_, code)) = SYMBOLS.iter().find(|(symbol, _)| *symbol == text) {
        return Some((*code).to_owned());
    }
    (text.len() == 3 && text.bytes().all(|b| b.is_ascii_lowercase())).then(|| text.to_ascii_uppercase())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    NotAnAmount,
    Negative,
    TooBig,
    NotWhole,
    Reversed,
    TwoCurrencies(String, String),
}

impl Problem {
    fn message(&self, typed: &str) -> String {
        match self {
            Problem::NotAnAmount => {
                format!("“{}” is not an amount. Type it as 95000, 95,000, 95k or £95,000.", quoted(typed))
            }
            Problem::Negative => "A salary cannot be negative.".into(),
            Problem::TooBig => "That is more than 1,000,000,000: check the amount.".into(),
            Problem::NotWhole => "Give a whole amount, such as 95000 or 95.5k.".into(),
            Problem::Reversed => "The top of the range is below its bottom.".into(),
            Problem::TwoCurrencies(a, b) => format!("This names two currencies, {a} and {b}: use one."),
        }
    }
}

/// One amount of a salary as typed: its number, its multiplier (`k`, `m`) and its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Amount {
    /// The digits before the decimal separator, and those after it.
    whole: u128,
    fraction: String,
    multiplier: Option<u128>,
    currency: Option<String>,
}

impl Amount {
    fn value(&self, multiplier: u128) -> Result<i64, Problem> {
        let scale = 10u128.pow(self.fraction.len() as u32);
        let fraction: u128 =
            if self.fraction.is_empty() { 0 } else { self.fraction.parse().map_err(|_| Problem::NotAnAmount)? };
        let scaled = fraction * multiplier;
        if !scaled.is_multiple_of(scale) {
            return Err(Problem::NotWhole);
        }
        let value = self.whole.checked_mul(multiplier).and_then(|w| w.checked_add(scaled / scale));
        match value {
            Some(value) if value <= SALARY_MAX as u128 => Ok(value as i64),
            _ => Err(Problem::TooBig),
        }
    }
}

/// A currency symbol or a three-letter code at the start of `chars`: the code and how many
/// characters it took.
fn currency_at(chars: &[char]) -> Option<(String, usize)> {
    for (symbol, code) in SYMBOLS {
        let len = symbol.chars().count();
        if chars.len() >= len && chars[..len].iter().copied().eq(symbol.chars()) {
            return Some((code.to_owned(), len));
        }
    }
    let letters = chars.iter().take_while(|c| c.is_alphabetic()).count();
    (letters == 3 && chars[..3].iter().all(char::is_ascii_lowercase))
        .then(|| (chars[..3].iter().collect::<String>().to_ascii_uppercase(), 3))
}

/// Digits with thousands separators (`95,000`, `95 000`, `95.000`, `95'000`, `9,50,000`) and
/// perhaps a decimal part (`95.5`, `95,5`, `95,000.00`): the whole part and the fraction's
/// digits. With a multiplier after it (`1.250m`), a dot is always the decimal point.
fn number(text: &str, scaled: bool) -> Result<(u128, String), Problem> {
    let groups: Vec<&str> = text.split([',', '.', '\'', ' ']).collect();
    let separators: Vec<char> = text.chars().filter(|c| matches!(c, ',' | '.' | '\'' | ' ')).collect();
    if groups.iter().any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit())) {
        return Err(Problem::NotAnAmount);
    }
    let (whole_groups, whole_separators, fraction) = match (separators.last(), groups.last()) {
        (Some(&last), Some(tail))
            if matches!(last, '.' | ',')
                && separators.iter().filter(|&&s| s == last).count() == 1
                && (tail.len() <= 2 || (scaled && last == '.' && tail.len() == 3)) =>
        {
            (&groups[..groups.len() - 1], &separators[..separators.len() - 1], (*tail).to_owned())
        }
        _ => (&groups[..], &separators[..], String::new()),
    };
    if let Some(first) = whole_separators.first() {
        let one_kind = whole_separators.iter().all(|s| s == first);
        let (head, rest) = whole_groups.split_first().ok_or(Problem::NotAnAmount)?;
        let western = (1..=3).contains(&head.len()) && rest.iter().all(|g| g.len() == 3);
        // Lakh and crore: 9,50,000 and 1,20,00,000.
        let indian = *first == ','
            && (1..=2).contains(&head.len())
            && rest.split_last().is_some_and(|(last, middle)| last.len() == 3 && middle.iter().all(|g| g.len() == 2));
        if !one_kind || !(western || indian) {
            return Err(Problem::NotAnAmount);
        }
    }
    let digits: String = whole_groups.concat();
    if fraction.len() > 6 {
        return Err(Problem::NotAnAmount);
    }
    if digits.len() > 15 {
        return Err(Problem::TooBig);
    }
    Ok((digits.parse().map_err(|_| Problem::NotAnAmount)?, fraction))
}

/// One amount: `[currency] number [k|m] [currency]`, spaces allowed between the pieces.
fn amount(chars: &[char]) -> Result<Amount, Problem> {
    let mut i = 0;
    let skip_spaces = |i: &mut usize| {
        while *i < chars.len() && chars[*i] == ' ' {
            *i += 1;
        }
    };
    let mut currency = None;
    if let Some((code, len)) = currency_at(chars) {
        currency = Some(code);
        i += len;
        skip_spaces(&mut i);
    }
    if chars.get(i) == Some(&'-') {
        return Err(Problem::Negative);
    }
    let start = i;
    while i < chars.len() && (chars[i].is_ascii_digit() || matches!(chars[i], ',' | '.' | '\'' | ' ')) {
        i += 1;
    }
    let digits: String = chars[start..i].iter().collect::<String>().trim_end().to_owned();
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(Problem::NotAnAmount);
    }
    i = start + digits.chars().count();
    skip_spaces(&mut i);
    let letters = chars[i..].iter().take_while(|c| c.is_alphabetic()).count();
    let multiplier = match (letters, chars.get(i)) {
        (1, Some('k')) => Some(1_000),
        (1, Some('m')) => Some(1_000_000),
        _ => None,
    };
    if multiplier.is_some() {
        i += 1;
        skip_spaces(&mut i);
    }
    if let Some((code, len)) = currency_at(&chars[i..]) {
        if currency.as_ref().is_some_and(|c| *c != code) {
            return Err(Problem::TwoCurrencies(currency.unwrap_or_default(), code));
        }
        currency = Some(code);
        i += len;
        skip_spaces(&mut i);
    }
    if i != chars.len() {
        return Err(Problem::NotAnAmount);
    }
    let (whole, fraction) = number(&digits, multiplier.is_some())?;
    Ok(Amount { whole, fraction, multiplier, currency })
}

fn read_salary(text: &str) -> Result<Salary, Problem> {
    // Spaces of every width (a no-break space, a narrow one) are a space; dashes of every length
    // and the minus sign are a hyphen; a typographic apostrophe (95’000) is an apostrophe.
    let normal: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            c if c.is_whitespace() => ' ',
            '–' | '—' | '‒' | '−' => '-',
            '’' => '\'',
            c => c,
        })
        .collect::<String>()
        .replace(" to ", "-");
    let chars: Vec<char> = normal.trim().chars().collect();
    let first_digit = chars.iter().position(char::is_ascii_digit).ok_or(Problem::NotAnAmount)?;
    if chars[..first_digit].contains(&'-') {
        return Err(Problem::Negative);
    }
    let sides: Vec<&[char]> = chars.split(|&c| c == '-').collect();
    let trim = |side: &[char]| -> Vec<char> {
        let text: String = side.iter().collect();
        text.trim().chars().collect()
    };
    match sides.as_slice() {
        [one] => {
            let one = amount(&trim(one))?;
            let min = one.value(one.multiplier.unwrap_or(1))?;
            Ok(Salary { min, max: None, currency: one.currency })
        }
        [low, high] => {
            let (low, high) = (amount(&trim(low))?, amount(&trim(high))?);
            let currency = match (low.currency.clone(), high.currency.clone()) {
                (Some(a), Some(b)) if a != b => return Err(Problem::TwoCurrencies(a, b)),
                (a, b) => a.or(b),
            };
            let max = high.value(high.multiplier.unwrap_or(1))?;
            // `90-110k`: the multiplier after the range is both ends', unless that would put
            // the bottom above the top (`50000-70k`).
            let min = match (low.multiplier, high.multiplier) {
                (Some(m), _) => low.value(m)?,
                (None, Some(m)) => match low.value(m) {
                    Ok(min) if min <= max => min,
                    _ => low.value(1)?,
                },
                (None, None) => low.value(1)?,
            };
            if max < min {
                return Err(Problem::Reversed);
            }
            Ok(Salary { min, max: Some(max), currency })
        }
        _ => Err(Problem::NotAnAmount),
    }
}

/// A salary as people type it: `95000`, `95,000`, `95 000` (a no-break or narrow space too),
/// `95.000` (a dot before exactly three digits separates thousands), `95k`, `95.5k`, `1.2m`,
/// `£95,000`, `$120k`, `€80.000`, `95,000 GBP`, `GBP 95000`, `USD 120k`, or a range in one box:
/// `90-110k`, `£90k–£110k`, `90,000 - 110,000`, `90k to 110k`. The currency comes from a symbol
/// (`£` GBP, `$` read as US dollars, `€` EUR, `¥` JPY, `₹` INR) or a three-letter code before or
/// after the number. Empty is `None`. Negative amounts, amounts over 1,000,000,000, fractions of
/// a unit and anything else are refused with a message for the form.
pub fn salary(input: &str) -> Result<Option<Salary>, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_TYPED {
        return Err(Problem::NotAnAmount.message(text));
    }
    read_salary(text).map(Some).map_err(|problem| problem.message(text))
}

/// A form's salary fields read as typed: `from` and `to` rewritten as whole numbers and
/// `currency` as a code, or messages added to `errors`.
///
/// A range typed in one box fills both when the other is empty. A currency typed with an amount
/// fills an empty currency field, and is an error on that amount when the field names another
/// currency. With no currency anywhere, an amount is in the user's default currency.
pub fn read_salary_fields(
    errors: &mut FieldErrors,
    typed: &TypedInput,
    from: &mut String,
    to: &mut String,
    currency_field: &mut String,
) {
    if let Some(code) = currency(currency_field) {
        *currency_field = code;
    }
    let chosen = currency(currency_field);
    let mut low = None;
    let mut high = None;
    let mut named: Vec<(&'static str, String)> = Vec::new();
    let both_typed = !from.trim().is_empty() && !to.trim().is_empty();
    for (field, text) in [("salary_min", from.as_str()), ("salary_max", to.as_str())] {
        match salary(text) {
            Ok(None) => {}
            Ok(Some(read)) if read.max.is_some() && both_typed => {
                errors.add(field, "This is a range, and the other box has an amount too: give the range in one box, or one end in each.");
            }
            Ok(Some(read)) => {
                if let Some(code) = read.currency {
                    named.push((field, code));
                }
                match read.max {
                    Some(max) => {
                        low = Some(read.min);
                        high = Some(max);
                    }
                    None if field == "salary_min" => low = Some(read.min),
                    None => high = Some(read.min),
                }
            }
            Err(message) => errors.add(field, message),
        }
    }
    if let [(_, a), (field, b)] = named.as_slice() {
        if a != b {
            errors.add(field, format!("“Salary from” is in {a} and this is in {b}: use one currency."));
        }
    }
    for (field, code) in &named {
        if let Some(chosen) = chosen.as_ref().filter(|chosen| *chosen != code) {
            errors.add(field, format!("This amount is in {code}, but the currency is {chosen}: change one of them."));
        }
    }
    if errors.get("salary_min").is_none() && errors.get("salary_max").is_none() {
        if let Some(min) = low {
            *from = min.to_string();
        }
        if let Some(max) = high {
            *to = max.to_string();
        }
        if currency_field.trim().is_empty() && (low.is_some() || high.is_some()) {
            let typed_code = named.first().map(|(_, code)| code.clone());
            if let Some(code) = typed_code.or_else(|| typed.default_currency.clone()) {
                *currency_field = code;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_people_type_them() {
        let cases = [
            ("2017", "2017"),
            ("2017-03", "2017-03"),
            ("2017-3", "2017-03"),
            ("2017/03", "2017-03"),
            ("2017 3", "2017-03"),
            ("2017-03-05", "2017-03-05"),
            ("2017/3/5", "2017-03-05"),
            (" 2017-03-05 ", "2017-03-05"),
            ("March 2017", "2017-03"),
            ("march 2017", "2017-03"),
            ("MARCH 2017", "2017-03"),
            ("Mar 2017", "2017-03"),
            ("mar. 2017", "2017-03"),
            ("Mar, 2017", "2017-03"),
            ("Sept 2017", "2017-09"),
            ("Sep 2017", "2017-09"),
            ("sept. 2017", "2017-09"),
            ("Febr 2017", "2017-02"),
            ("June 2017", "2017-06"),
            ("Jun 2017", "2017-06"),
            ("Jul 2017", "2017-07"),
            ("May 2017", "2017-05"),
            ("2017 March", "2017-03"),
            ("03/2017", "2017-03"),
            ("3/2017", "2017-03"),
            ("03.2017", "2017-03"),
            ("03-2017", "2017-03"),
            ("12/2017", "2017-12"),
            ("5 March 2017", "2017-03-05"),
            ("05 March 2017", "2017-03-05"),
            ("5 Mar 2017", "2017-03-05"),
            ("5-Mar-2017", "2017-03-05"),
            ("5th March 2017", "2017-03-05"),
            ("1st March 2017", "2017-03-01"),
            ("2nd March 2017", "2017-03-02"),
            ("3rd March 2017", "2017-03-03"),
            ("5th of March 2017", "2017-03-05"),
            ("the 5th of March, 2017", "2017-03-05"),
            ("March 5, 2017", "2017-03-05"),
            ("March 5 2017", "2017-03-05"),
            ("March 5th, 2017", "2017-03-05"),
            ("Mar. 5, 2017", "2017-03-05"),
            ("2017 March 5", "2017-03-05"),
            ("13/05/2017", "2017-05-13"),
            ("05/13/2017", "2017-05-13"),
            ("13.05.2017", "2017-05-13"),
            ("31/12/2017", "2017-12-31"),
            ("12/31/2017", "2017-12-31"),
            ("05/05/2017", "2017-05-05"),
            ("29 February 2024", "2024-02-29"),
            ("1900", "1900"),
            ("December 2100", "2100-12"),
            ("5\u{a0}March\u{a0}2017", "2017-03-05"),
            ("5 March\t2017", "2017-03-05"),
            ("5 – March – 2017", "2017-03-05"),
        ];
        for (typed, canonical) in cases {
            assert_eq!(date(typed).as_deref(), Ok(canonical), "{typed:?}");
        }
    }

    #[test]
    fn a_date_that_could_be_read_two_ways_is_refused_with_both_readings() {
        let message = date("03/05/2017").unwrap_err();
        assert!(message.contains("could be 3 May 2017 or March 5, 2017"), "{message}");
        assert!(message.contains("2017-05-03") && message.contains("3 May 2017"), "{message}");
        for typed in ["05.03.2017", "1/2/2020", "12/11/2019", "05-03-2017"] {
            assert!(date(typed).unwrap_err().contains("could be"), "{typed:?}");
        }
    }

    #[test]
    fn what_is_not_a_date_is_refused_with_the_forms_hint() {
        for typed in [
            "21",
            "17",
            "Mar 17",
            "2021-13",
            "13/2021",
            "0/2021",
            "2021-00",
            "March",
            "Ma 2021",
            "Marchish 2021",
            "Smarch 2021",
            "2017-2019",
            "2017-03-05-01",
            "20170305",
            "5 March 2017 and more",
            "5st March 2017 x",
            "2017th",
            "13/14/2017",
            "03/05/17",
            "next week",
            "🦀",
            "2017 🎉",
            "—",
            "£$%",
            "5 March 2017 12:00",
            "٢٠١٧",
        ] {
            let message = date(typed).unwrap_err();
            assert!(message.ends_with(DATE_HINT), "{typed:?}: {message}");
        }
        assert_eq!(date("March 1850"), Err("Give a year between 1900 and 2100.".into()));
        assert_eq!(date("30 February 2023"), Err("There is no 30 February 2023.".into()));
        assert_eq!(date("2023-02-29"), Err("There is no 29 February 2023.".into()));
        assert_eq!(date("31/04/2023"), Err("There is no 31 April 2023.".into()));
        let long = "5 March 2017 ".repeat(1000);
        assert!(date(&long).unwrap_err().contains('…'));
        assert_eq!(day("March 2017"), Err("Give the full date, such as 5 March 2021 or 2021-03-05.".into()));
        assert_eq!(day("5 March 2017"), Ok("2017-03-05".into()));
    }

    #[test]
    fn date_fields_are_rewritten_or_explained() {
        let mut errors = FieldErrors::new();
        let mut start = "Sept 2019".to_owned();
        let mut end = "03/05/2017".to_owned();
        let mut empty = "  ".to_owned();
        read_date(&mut errors, "start_date", &mut start);
        read_date(&mut errors, "end_date", &mut end);
        read_day(&mut errors, "entry_date", &mut empty);
        assert_eq!((start.as_str(), end.as_str(), empty.as_str()), ("2019-09", "03/05/2017", "  "));
        assert!(errors.get("start_date").is_none() && errors.get("entry_date").is_none());
        assert!(errors.get("end_date").unwrap().contains("could be"));
    }

    /// An amount as read: bottom, top, currency.
    type Read = (i64, Option<i64>, Option<&'static str>);

    fn amount_of(typed: &str) -> Read {
        let read = salary(typed).unwrap_or_else(|e| panic!("{typed:?}: {e}")).expect("an amount");
        (read.min, read.max, read.currency.map(|c| &*c.leak()))
    }

    #[test]
    fn salaries_as_people_type_them() {
        let cases: &[(&str, Read)] = &[
            ("95000", (95_000, None, None)),
            ("95,000", (95_000, None, None)),
            ("95 000", (95_000, None, None)),
            ("95\u{a0}000", (95_000, None, None)),
            ("95\u{202f}000", (95_000, None, None)),
            ("95.000", (95_000, None, None)),
            ("95'000", (95_000, None, None)),
            ("95’000", (95_000, None, None)),
            ("1,234,567", (1_234_567, None, None)),
            ("1.234.567", (1_234_567, None, None)),
            ("9,50,000", (950_000, None, None)),
            ("1,20,00,000", (12_000_000, None, None)),
            ("95,000.00", (95_000, None, None)),
            ("95.000,00", (95_000, None, None)),
            ("95k", (95_000, None, None)),
            ("95K", (95_000, None, None)),
            ("95 k", (95_000, None, None)),
            ("95.5k", (95_500, None, None)),
            ("95,5k", (95_500, None, None)),
            ("1.2m", (1_200_000, None, None)),
            ("1.25M", (1_250_000, None, None)),
            ("1.250m", (1_250_000, None, None)),
            ("0", (0, None, None)),
            ("1000000000", (1_000_000_000, None, None)),
            ("£95,000", (95_000, None, Some("GBP"))),
            ("£ 95,000", (95_000, None, Some("GBP"))),
            ("$120k", (120_000, None, Some("USD"))),
            ("US$120k", (120_000, None, Some("USD"))),
            ("€80.000", (80_000, None, Some("EUR"))),
            ("80.000 €", (80_000, None, Some("EUR"))),
            ("80.000€", (80_000, None, Some("EUR"))),
            ("¥9,000,000", (9_000_000, None, Some("JPY"))),
            ("₹9,50,000", (950_000, None, Some("INR"))),
            ("CHF 120'000", (120_000, None, Some("CHF"))),
            ("95,000 GBP", (95_000, None, Some("GBP"))),
            ("95000gbp", (95_000, None, Some("GBP"))),
            ("GBP 95000", (95_000, None, Some("GBP"))),
            ("gbp95000", (95_000, None, Some("GBP"))),
            ("USD 120k", (120_000, None, Some("USD"))),
            ("120k USD", (120_000, None, Some("USD"))),
            ("£95k GBP", (95_000, None, Some("GBP"))),
            ("90-110k", (90_000, Some(110_000), None)),
            ("90k-110k", (90_000, Some(110_000), None)),
            ("90 - 110k", (90_000, Some(110_000), None)),
            ("£90k–£110k", (90_000, Some(110_000), Some("GBP"))),
            ("£90k — £110k", (90_000, Some(110_000), Some("GBP"))),
            ("£90-110k", (90_000, Some(110_000), Some("GBP"))),
            ("90-110k EUR", (90_000, Some(110_000), Some("EUR"))),
            ("90,000 - 110,000", (90_000, Some(110_000), None)),
            ("90,000 – 110,000", (90_000, Some(110_000), None)),
            ("90,000-110,000 USD", (90_000, Some(110_000), Some("USD"))),
            ("90k to 110k", (90_000, Some(110_000), None)),
            ("50000-70k", (50_000, Some(70_000), None)),
            ("1.2-1.5m", (1_200_000, Some(1_500_000), None)),
            ("95k-95k", (95_000, Some(95_000), None)),
        ];
        for (typed, expected) in cases {
            assert_eq!(amount_of(typed), *expected, "{typed:?}");
        }
        assert_eq!(salary("   "), Ok(None));
    }

    #[test]
    fn salaries_that_cannot_be_read_are_explained() {
        let said = |typed: &str| salary(typed).unwrap_err();
        for negative in ["-5000", "−95k", "£-95,000", "- 10"] {
            assert_eq!(said(negative), "A salary cannot be negative.", "{negative:?}");
        }
        for absurd in ["1000000001", "2m-2000m", "999999999999999999999999", "5,000,000,000", "1001m"] {
            assert_eq!(said(absurd), "That is more than 1,000,000,000: check the amount.", "{absurd:?}");
        }
        for fraction in ["95000.5", "1.5", "95000.50"] {
            assert_eq!(said(fraction), "Give a whole amount, such as 95000 or 95.5k.", "{fraction:?}");
        }
        assert_eq!(said("110k-90k"), "The top of the range is below its bottom.");
        assert_eq!(said("£90k-$110k"), "This names two currencies, GBP and USD: use one.");
        assert_eq!(said("£95k EUR"), "This names two currencies, GBP and EUR: use one.");
        for nonsense in [
            "lots",
            "competitive",
            "9,5000",
            "1.0005m",
            "95..000",
            "95,000.000.000",
            "1,234.567",
            "95 000,000",
            "95kk",
            "95 thousand",
            "95k pa",
            "90-100-110",
            "£",
            "k",
            "€€€",
            "🦀95k",
            "95k🎉",
            "٩٥٠٠٠",
            "95_000",
            "0x1F",
            "1e5",
            "ＧＢＰ95000",
        ] {
            assert!(said(nonsense).contains("is not an amount"), "{nonsense:?}: {}", said(nonsense));
        }
        let long = "9".repeat(10_000);
        assert!(said(&long).contains('…'));
    }

    #[test]
    fn currency_fields_take_symbols_and_codes() {
        assert_eq!(currency(" eur "), Some("EUR".into()));
        assert_eq!(currency("£"), Some("GBP".into()));
        assert_eq!(currency("$"), Some("USD".into()));
        assert_eq!(currency("euros"), None);
        assert_eq!(currency("€€"), None);
        assert_eq!(currency("é12"), None);
    }

    fn fields(from: &str, to: &str, currency: &str, default: Option<&str>) -> (FieldErrors, [String; 3]) {
        let mut errors = FieldErrors::new();
        let typed = TypedInput { default_currency: default.map(str::to_owned) };
        let (mut from, mut to, mut currency) = (from.to_owned(), to.to_owned(), currency.to_owned());
        read_salary_fields(&mut errors, &typed, &mut from, &mut to, &mut currency);
        (errors, [from, to, currency])
    }

    #[test]
    fn salary_fields_fill_each_other_and_the_currency() {
        let (errors, read) = fields("£95,000", "", "", None);
        assert!(errors.is_empty());
        assert_eq!(read, ["95000".to_owned(), String::new(), "GBP".to_owned()]);
        let (errors, read) = fields("90-110k", "", "", Some("EUR"));
        assert!(errors.is_empty());
        assert_eq!(read, ["90000".to_owned(), "110000".to_owned(), "EUR".to_owned()]);
        let (_, read) = fields("", "$90k-$110k", "usd", Some("EUR"));
        assert_eq!(read, ["90000".to_owned(), "110000".to_owned(), "USD".to_owned()]);
        let (_, read) = fields("95k", "120k", "£", None);
        assert_eq!(read, ["95000".to_owned(), "120000".to_owned(), "GBP".to_owned()]);
        // No amount: the currency is left as it is, default or not.
        let (_, read) = fields("", "", "", Some("EUR"));
        assert_eq!(read, [String::new(), String::new(), String::new()]);
        // No currency anywhere and no default: the validator asks for one.
        let (errors, read) = fields("95k", "", "", None);
        assert!(errors.is_empty());
        assert_eq!(read, ["95000".to_owned(), String::new(), String::new()]);
    }

    #[test]
    fn contradicting_currencies_and_double_ranges_are_errors_on_the_amount() {
        let (errors, read) = fields("£95k", "", "EUR", Some("USD"));
        assert_eq!(
            errors.get("salary_min"),
            Some("This amount is in GBP, but the currency is EUR: change one of them.")
        );
        assert_eq!(read, ["£95k".to_owned(), String::new(), "EUR".to_owned()], "left as typed");
        let (errors, _) = fields("£90k", "$110k", "", None);
        assert_eq!(errors.get("salary_max"), Some("“Salary from” is in GBP and this is in USD: use one currency."));
        let (errors, _) = fields("90-110k", "120k", "EUR", None);
        assert!(errors.get("salary_min").unwrap().contains("range"));
        let (errors, read) = fields("lots", "95k", "EUR", None);
        assert!(errors.get("salary_min").unwrap().contains("is not an amount"));
        assert_eq!(read, ["lots".to_owned(), "95k".to_owned(), "EUR".to_owned()]);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{date_like, proptest_config, user_text};
    use proptest::prelude::*;

    fn spelled_month() -> impl Strategy<Value = (u32, String)> {
        (1..=12u32, 3..=9usize, any::<bool>()).prop_map(|(m, len, upper)| {
            let name = MONTH_NAMES[(m - 1) as usize];
            let cut: String = name.chars().take(len.min(name.len())).collect();
            (m, if upper { cut.to_uppercase() } else { cut })
        })
    }

    /// Found by the property below (`1-0-0000`): a zero month or day beside another number
    /// asked which comes first, and naming month 0 panicked.
    #[test]
    fn a_zero_month_or_day_is_no_date_and_no_question() {
        for input in ["1-0-0000", "0-1-2017", "1/0/2017", "0.0.2017"] {
            assert!(date(input).is_err(), "{input}");
        }
    }

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn a_read_date_is_canonical_and_reads_back_as_itself(input in prop_oneof![date_like(), user_text(), "[0-9a-zA-Z ,./-]{0,24}"]) {
            if let Ok(canonical) = date(&input) {
                let parsed = PartialDate::parse(&canonical);
                prop_assert!(parsed.is_ok(), "{input:?} → {canonical:?}");
                prop_assert_eq!(parsed.unwrap().to_string(), canonical.clone());
                prop_assert_eq!(date(&canonical), Ok(canonical.clone()), "canonical text reads as itself");
            }
            if let Ok(day) = day(&input) {
                prop_assert_eq!(day.len(), 10);
            }
        }

        #[test]
        fn everything_the_strict_parser_takes_is_read_the_same(input in date_like()) {
            if let Ok(strict) = PartialDate::parse(&input) {
                prop_assert_eq!(date(&input), Ok(strict.to_string()));
            }
        }

        #[test]
        fn a_month_in_words_reads_as_its_number(
            (month, word) in spelled_month(),
            year in 1900..=2100u32,
            day in 1..=28u32,
            order in 0..4usize,
        ) {
            let (typed, canonical) = match order {
                0 => (format!("{word} {year}"), format!("{year}-{month:02}")),
                1 => (format!("{day} {word} {year}"), format!("{year}-{month:02}-{day:02}")),
                2 => (format!("{word} {day}, {year}"), format!("{year}-{month:02}-{day:02}")),
                _ => (format!("{month:02}/{year}"), format!("{year}-{month:02}")),
            };
            prop_assert_eq!(date(&typed), Ok(canonical));
        }

        #[test]
        fn numeric_dates_are_read_only_when_one_reading_exists(a in 1..=31u32, b in 1..=31u32, year in 1900..=2100u32) {
            let typed = format!("{a:02}/{b:02}/{year}");
            match date(&typed) {
                Ok(canonical) => {
                    let (m, d) = if a > 12 { (b, a) } else if b > 12 { (a, b) } else { (a, a) };
                    prop_assert!(a == b || a > 12 || b > 12);
                    prop_assert_eq!(canonical, format!("{year}-{m:02}-{d:02}"));
                }
                Err(message) => prop_assert!(
                    (a <= 12 && b <= 12 && a != b && message.contains("could be"))
                        || (a > 12 && b > 12)
                        || message.starts_with("There is no"),
                    "{typed}: {message}"
                ),
            }
        }

        #[test]
        fn a_read_salary_is_in_range_and_whole(input in prop_oneof![
            "[£$€0-9 ,.'kKmM-]{0,16}", "(GBP|USD|eur)? ?[0-9]{1,7}([.,][0-9]{1,3})? ?[kKmM]?", user_text(),
        ]) {
            if let Ok(Some(read)) = salary(&input) {
                prop_assert!((0..=SALARY_MAX).contains(&read.min));
                if let Some(max) = read.max {
                    prop_assert!(read.min <= max && max <= SALARY_MAX);
                }
                if let Some(code) = &read.currency {
                    prop_assert!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()));
                }
                // What is stored reads back as itself.
                prop_assert_eq!(salary(&read.min.to_string()), Ok(Some(Salary { min: read.min, max: None, currency: None })));
            }
        }

        #[test]
        fn an_amount_reads_back_however_it_is_grouped(
            amount in 0..=SALARY_MAX,
            separator in prop::sample::select(vec![",", " ", "\u{a0}", "\u{202f}", "'"]),
            symbol in prop::sample::select(vec!["", "£", "$", "€", "GBP ", "usd"]),
        ) {
            let digits = amount.to_string();
            let grouped = digits.as_bytes().rchunks(3).rev().map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(separator);
            let typed = format!("{symbol}{grouped}");
            let read = salary(&typed).unwrap().unwrap();
            prop_assert_eq!(read.min, amount, "{}", typed);
            prop_assert_eq!(read.currency.is_some(), !symbol.is_empty());
            if amount % 1000 == 0 {
                let thousands = format!("{}k", amount / 1000);
                prop_assert_eq!(salary(&thousands).unwrap().unwrap().min, amount);
            }
        }

        #[test]
        fn reading_salary_fields_never_loses_what_was_typed(
            from in prop_oneof!["[£$0-9 ,.k-]{0,10}", user_text()],
            to in prop_oneof!["[€0-9 ,.k-]{0,10}", user_text()],
            currency_field in prop_oneof!["[A-Za-z£]{0,3}", user_text()],
        ) {
            let mut errors = FieldErrors::new();
            let (mut f, mut t, mut c) = (from.clone(), to.clone(), currency_field.clone());
            read_salary_fields(&mut errors, &TypedInput { default_currency: Some("EUR".into()) }, &mut f, &mut t, &mut c);
            // A field with a message is left as typed; one rewritten holds a whole number.
            if errors.get("salary_min").is_some() || errors.get("salary_max").is_some() {
                prop_assert_eq!((&f, &t), (&from, &to));
            } else {
                for (before, after) in [(&from, &f), (&to, &t)] {
                    prop_assert!(after.is_empty() || after.parse::<i64>().is_ok() || after == before, "{before:?} → {after:?}");
                }
            }
        }
    }
}
