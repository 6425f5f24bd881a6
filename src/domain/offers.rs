//! An opportunity's offer (one current offer each: saving again replaces it), the documents
//! attached to an opportunity, and what the side-by-side comparison works out: a first-year cash
//! estimate, in one currency only, and how long is left to decide.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::fields::{self, nullable_text, set, PartialDate};
use crate::domain::lenient::{self, TypedInput};
use crate::domain::opportunities::{nullable_number, OpportunityStatus};
use crate::domain::FieldErrors;

crate::closed_set! {
    /// What a base salary is paid per.
    pub enum PayPeriod {
        Year = ("year", "a year"),
        Month = ("month", "a month"),
        Hour = ("hour", "an hour"),
    }
}

/// The hours a year an hourly rate is counted for in the first-year estimate: 40 a week, 52 weeks.
pub const HOURS_A_YEAR: i64 = 2080;

impl PayPeriod {
    /// How many of this period make a year (the estimate's assumption for hours).
    pub fn per_year(self) -> i64 {
        match self {
            PayPeriod::Year => 1,
            PayPeriod::Month => 12,
            PayPeriod::Hour => HOURS_A_YEAR,
        }
    }

    /// `(key, words)` for a form's options: "per year", "per month", "per hour".
    pub const OPTIONS: [(&'static str, &'static str); 3] =
        [("year", "per year"), ("month", "per month"), ("hour", "per hour")];
}

crate::closed_set! {
    /// What a file attached to an opportunity is.
    pub enum DocumentKind {
        ResumeSent = ("resume_sent", "Resume sent"),
        CoverLetter = ("cover_letter", "Cover letter"),
        OfferLetter = ("offer_letter", "Offer letter"),
        Other = ("other", "Other"),
    }
}

/// The longest note on a document.
pub const DOCUMENT_NOTE_MAX: usize = 500;
/// The longest bonus or equity text.
pub const OFFER_LINE_MAX: usize = 200;
/// The longest benefits notes.
pub const BENEFITS_MAX: usize = 2000;

/// The fields that come with a file: its kind and a note.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DocumentForm {
    pub kind: String,
    pub note: String,
}

impl DocumentForm {
    pub fn validate(&self) -> Result<(DocumentKind, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = DocumentKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Choose what the file is: resume sent, cover letter, offer letter or other.");
        }
        let note = errors.check("note", fields::line(&self.note, DOCUMENT_NOTE_MAX));
        match (kind, note) {
            (Some(kind), Some(note)) if errors.is_empty() => Ok((kind, note)),
            _ => Err(errors),
        }
    }
}

/// An offer as the form gives it, kept as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OfferDraft {
    pub base_amount: String,
    pub base_currency: String,
    pub base_period: String,
    pub bonus: String,
    pub equity: String,
    pub benefits: String,
    pub starts_on: String,
    pub decide_by: String,
}

/// An offer as the API takes it (`PUT` replaces the whole offer: a field left out is empty).
/// A base salary needs its `base_currency`; at least one detail must be given.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferWrite {
    /// The base salary in whole units of `base_currency`, per `base_period`.
    #[serde(default, deserialize_with = "nullable_number")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1000000000)]
    pub base_amount: Option<String>,
    /// ISO 4217, e.g. `EUR`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(pattern = r"^[A-Za-z]{3}$")]
    pub base_currency: Option<String>,
    /// `year` (when left out), `month` or `hour`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = pay_period_input)]
    pub base_period: Option<String>,
    /// A bonus as stated: `10%`, `15000 EUR sign-on`, …
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub bonus: Option<String>,
    /// Equity as stated: `0.1% over 4 years`, `2,000 RSUs`, …
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub equity: Option<String>,
    /// Benefits notes: holidays, pension, health cover, …
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub benefits: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub starts_on: Option<String>,
    /// The day the answer is due, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub decide_by: Option<String>,
}

fn pay_period_input() -> utoipa::openapi::schema::Object {
    crate::domain::schema::choice(
        PayPeriod::ALL.iter().map(|p| p.as_str()),
        false,
        true,
        "What the base salary is paid per: `year` (when left out or `null`), `month` or `hour`.",
    )
}

/// A valid offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferInput {
    pub base_amount: Option<i64>,
    pub base_currency: String,
    pub base_period: PayPeriod,
    pub bonus: String,
    pub equity: String,
    pub benefits: String,
    pub starts_on: Option<PartialDate>,
    pub decide_by: Option<PartialDate>,
}

fn optional_day(input: &str) -> Result<Option<PartialDate>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        PartialDate::parse_day(input).map(Some)
    }
}

fn amount(input: &str) -> Result<Option<i64>, String> {
    let cleaned: String = input.trim().chars().filter(|c| !matches!(c, ',' | '_' | ' ' | '\u{a0}')).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    match cleaned.parse::<i64>() {
        Ok(n) if (0..=lenient::SALARY_MAX).contains(&n) => Ok(Some(n)),
        _ => Err("Give a whole amount, such as 85000.".into()),
    }
}

impl OfferDraft {
    /// The API's body as a draft (a `PUT`: what is left out is empty).
    pub fn from_write(write: OfferWrite) -> Self {
        let mut draft = OfferDraft::default();
        set(&mut draft.base_amount, write.base_amount);
        set(&mut draft.base_currency, write.base_currency);
        set(&mut draft.base_period, write.base_period);
        set(&mut draft.bonus, write.bonus);
        set(&mut draft.equity, write.equity);
        set(&mut draft.benefits, write.benefits);
        set(&mut draft.starts_on, write.starts_on);
        set(&mut draft.decide_by, write.decide_by);
        draft
    }

    /// A new offer's form: the opportunity's currency, else the user's default.
    pub fn blank(currency: &str, typed: &TypedInput) -> Self {
        let currency =
            if currency.is_empty() { typed.default_currency.clone().unwrap_or_default() } else { currency.into() };
        OfferDraft { base_currency: currency, base_period: PayPeriod::Year.to_string(), ..OfferDraft::default() }
    }

    /// Read the form as people type it (`£95k`, `5 March 2027`), in place; what cannot be read
    /// is a message. Call on a copy: the form shown again keeps what was typed.
    pub fn read_typed(&mut self, typed: &TypedInput) -> FieldErrors {
        let mut errors = FieldErrors::new();
        lenient::read_day(&mut errors, "starts_on", &mut self.starts_on);
        lenient::read_day(&mut errors, "decide_by", &mut self.decide_by);
        if let Some(code) = lenient::currency(&self.base_currency) {
            self.base_currency = code;
        }
        match lenient::salary(&self.base_amount) {
            Ok(None) => {}
            Ok(Some(read)) if read.max.is_some() => {
                errors.add("base_amount", "Give one amount: the base salary offered, not a range.");
            }
            Ok(Some(read)) => {
                self.base_amount = read.min.to_string();
                match (read.currency, lenient::currency(&self.base_currency)) {
                    (Some(named), Some(chosen)) if named != chosen => errors.add(
                        "base_amount",
                        format!("This amount is in {named}, but the currency is {chosen}: change one of them."),
                    ),
                    (Some(named), None) => self.base_currency = named,
                    _ => {}
                }
            }
            Err(message) => errors.add("base_amount", message),
        }
        if self.base_currency.trim().is_empty() && !self.base_amount.trim().is_empty() {
            if let Some(code) = &typed.default_currency {
                self.base_currency = code.clone();
            }
        }
        errors
    }

    pub fn validate(&self) -> Result<OfferInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let base_amount = e.check("base_amount", amount(&self.base_amount)).flatten();
        let base_currency = self.base_currency.trim().to_ascii_uppercase();
        let is_code = base_currency.len() == 3 && base_currency.bytes().all(|b| b.is_ascii_uppercase());
        if !base_currency.is_empty() && !is_code {
            e.add("base_currency", "Use a three-letter currency code, such as EUR or USD.");
        }
        if base_currency.is_empty() && base_amount.is_some() {
            e.add("base_currency", "Say which currency the salary is in, such as EUR.");
        }
        let base_period = if self.base_period.trim().is_empty() {
            Some(PayPeriod::Year)
        } else {
            let period = PayPeriod::parse(&self.base_period);
            if period.is_none() {
                e.add("base_period", "Choose per year, per month or per hour.");
            }
            period
        };
        let bonus = e.check("bonus", fields::line(&self.bonus, OFFER_LINE_MAX));
        let equity = e.check("equity", fields::line(&self.equity, OFFER_LINE_MAX));
        let benefits = e.check("benefits", fields::text(&self.benefits, BENEFITS_MAX));
        let starts_on = e.check("starts_on", optional_day(&self.starts_on)).flatten();
        let decide_by = e.check("decide_by", optional_day(&self.decide_by)).flatten();
        let bonus = bonus.unwrap_or_default();
        let equity = equity.unwrap_or_default();
        let benefits = benefits.unwrap_or_default();
        let nothing = base_amount.is_none()
            && bonus.is_empty()
            && equity.is_empty()
            && benefits.is_empty()
            && starts_on.is_none()
            && decide_by.is_none();
        if nothing && e.is_empty() {
            e.add("base_amount", "Give the base salary, or at least one other detail of the offer.");
        }
        let Some(base_period) = base_period.filter(|_| e.is_empty()) else { return Err(e) };
        Ok(OfferInput { base_amount, base_currency, base_period, bonus, equity, benefits, starts_on, decide_by })
    }
}

/// Recording an offer moves an opportunity still earlier in the pipeline (saved, applied,
/// screening, interviewing) to "offer"; later or closed statuses are left as they are.
pub fn moves_to_offer(status: OpportunityStatus) -> bool {
    matches!(
        status,
        OpportunityStatus::Saved
            | OpportunityStatus::Applied
            | OpportunityStatus::Screening
            | OpportunityStatus::Interviewing
    )
}

/// Whether an offer in this status is still on the table, for the comparison: everything but
/// the endings (rejected, withdrawn — declining an offer is withdrawing — and ghosted).
pub fn offer_is_open(status: OpportunityStatus) -> bool {
    !matches!(status, OpportunityStatus::Rejected | OpportunityStatus::Withdrawn | OpportunityStatus::Ghosted)
}

/// A bonus as the estimate reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum BonusReading {
    /// No bonus stated.
    None,
    /// A share of the base, in percent (`10%`, `up to 15 %`).
    Percent(f64),
    /// An amount, in a currency when one was named (`15000`, `€15k`, `15,000 EUR sign-on`).
    Amount(i64, Option<String>),
    /// Words the estimate cannot count (`discretionary`).
    Unreadable,
}

/// Read a bonus text: a percentage wherever it appears, else an amount at its start.
pub fn read_bonus(text: &str) -> BonusReading {
    let text = text.trim();
    if text.is_empty() {
        return BonusReading::None;
    }
    if let Some(at) = text.find('%') {
        let before = text[..at].trim_end();
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ','))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let number = before[start..].replace(',', ".");
        if let Ok(percent) = number.parse::<f64>() {
            if (0.0..=1000.0).contains(&percent) {
                return BonusReading::Percent(percent);
            }
        }
        return BonusReading::Unreadable;
    }
    // An amount followed by words ("15000 EUR sign-on"): read the longest start that is one.
    let words: Vec<&str> = text.split_whitespace().collect();
    for take in (1..=words.len().min(3)).rev() {
        if let Ok(Some(read)) = lenient::salary(&words[..take].join(" ")) {
            if read.max.is_none() {
                return BonusReading::Amount(read.min, read.currency);
            }
        }
    }
    BonusReading::Unreadable
}

/// The first year's cash of an offer: the base for a year, plus the bonus when it can be
/// counted in the base's currency. Never adds amounts in different currencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstYearCash {
    pub amount: i64,
    pub currency: String,
    /// What the estimate leaves out or assumes, for people to read beside it.
    pub caveat: Option<String>,
}

/// The estimate, when the offer has a base salary in a currency.
pub fn first_year_cash(
    base_amount: Option<i64>,
    base_currency: &str,
    period: PayPeriod,
    bonus: &str,
) -> Option<FirstYearCash> {
    let base = base_amount?;
    if base_currency.is_empty() {
        return None;
    }
    let yearly = base.saturating_mul(period.per_year());
    let mut caveats: Vec<String> = Vec::new();
    if period == PayPeriod::Hour {
        caveats.push(format!("counts {HOURS_A_YEAR} hours (40 a week)"));
    }
    let bonus_amount = match read_bonus(bonus) {
        BonusReading::None => 0,
        BonusReading::Percent(percent) => (yearly as f64 * percent / 100.0).round() as i64,
        BonusReading::Amount(amount, None) => amount,
        BonusReading::Amount(amount, Some(currency)) if currency == base_currency => amount,
        BonusReading::Amount(_, Some(currency)) => {
            caveats.push(format!("bonus in {currency} not added"));
            0
        }
        BonusReading::Unreadable => {
            caveats.push("bonus not counted".to_owned());
            0
        }
    };
    let caveat = (!caveats.is_empty()).then(|| caveats.join("; "));
    Some(FirstYearCash { amount: yearly.saturating_add(bonus_amount), currency: base_currency.to_owned(), caveat })
}

/// A whole amount with thousands separated: `95,000`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// How long is left until a deadline, from `today`: "today", "in 1 day", "in 12 days",
/// "passed" (both `YYYY-MM-DD`).
pub fn time_to_decide(deadline: &str, today: &str) -> Option<String> {
    let parse = |day: &str| day.parse::<jiff::civil::Date>().ok();
    let days = parse(today)?.until(parse(deadline)?).ok()?.get_days();
    Some(match days {
        d if d < 0 => "passed".to_owned(),
        0 => "today".to_owned(),
        1 => "in 1 day".to_owned(),
        d => format!("in {d} days"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> OfferDraft {
        OfferDraft {
            base_amount: "95000".into(),
            base_currency: "eur".into(),
            base_period: "year".into(),
            ..OfferDraft::default()
        }
    }

    #[test]
    fn an_offer_is_validated_field_by_field() {
        let input = draft().validate().unwrap();
        assert_eq!((input.base_amount, input.base_currency.as_str()), (Some(95_000), "EUR"));
        let no_currency = OfferDraft { base_currency: String::new(), ..draft() };
        assert!(no_currency.validate().unwrap_err().get("base_currency").is_some());
        let bad_code = OfferDraft { base_currency: "EURO".into(), ..draft() };
        assert!(bad_code.validate().unwrap_err().get("base_currency").is_some());
        let bad_period = OfferDraft { base_period: "week".into(), ..draft() };
        assert!(bad_period.validate().unwrap_err().get("base_period").is_some());
        let bad_day = OfferDraft { decide_by: "2027-02-30".into(), ..draft() };
        assert!(bad_day.validate().unwrap_err().get("decide_by").is_some());
        let long = OfferDraft { equity: "x".repeat(201), ..draft() };
        assert!(long.validate().unwrap_err().get("equity").is_some());
        let too_much = OfferDraft { base_amount: "1000000001".into(), ..draft() };
        assert!(too_much.validate().unwrap_err().get("base_amount").is_some());
        let empty = OfferDraft::default();
        assert!(empty.validate().unwrap_err().get("base_amount").is_some(), "an offer says something");
        let only_a_deadline = OfferDraft { decide_by: "2027-01-15".into(), ..OfferDraft::default() };
        assert_eq!(only_a_deadline.validate().unwrap().base_period, PayPeriod::Year);
    }

    #[test]
    fn a_form_is_read_as_typed() {
        let typed = TypedInput { default_currency: Some("USD".into()) };
        let mut form = OfferDraft {
            base_amount: "£95k".into(),
            base_currency: String::new(),
            decide_by: "5 March 2027".into(),
            ..OfferDraft::default()
        };
        assert!(form.read_typed(&typed).is_empty());
        let input = form.validate().unwrap();
        assert_eq!((input.base_amount, input.base_currency.as_str()), (Some(95_000), "GBP"));
        assert_eq!(input.decide_by.unwrap().to_string(), "2027-03-05");
        let mut clash =
            OfferDraft { base_amount: "€95k".into(), base_currency: "USD".into(), ..OfferDraft::default() };
        assert!(clash.read_typed(&typed).get("base_amount").is_some());
        let mut range = OfferDraft { base_amount: "90-110k".into(), ..OfferDraft::default() };
        assert!(range.read_typed(&typed).get("base_amount").is_some());
        let mut plain = OfferDraft { base_amount: "120000".into(), ..OfferDraft::default() };
        assert!(plain.read_typed(&typed).is_empty());
        assert_eq!(plain.base_currency, "USD", "the user's default currency");
    }

    #[test]
    fn bonuses_are_read_as_people_state_them() {
        assert_eq!(read_bonus(""), BonusReading::None);
        assert_eq!(read_bonus("10%"), BonusReading::Percent(10.0));
        assert_eq!(read_bonus("up to 12.5 % of base"), BonusReading::Percent(12.5));
        assert_eq!(read_bonus("15000"), BonusReading::Amount(15_000, None));
        assert_eq!(read_bonus("€15k sign-on"), BonusReading::Amount(15_000, Some("EUR".into())));
        assert_eq!(read_bonus("15,000 GBP guaranteed"), BonusReading::Amount(15_000, Some("GBP".into())));
        assert_eq!(read_bonus("discretionary"), BonusReading::Unreadable);
        assert_eq!(read_bonus("≈10%"), BonusReading::Percent(10.0), "a wide character before the number");
        assert_eq!(read_bonus("%"), BonusReading::Unreadable);
    }

    #[test]
    fn the_first_year_is_counted_in_one_currency_only() {
        let yearly = first_year_cash(Some(100_000), "EUR", PayPeriod::Year, "10%").unwrap();
        assert_eq!((yearly.amount, yearly.currency.as_str(), yearly.caveat), (110_000, "EUR", None));
        let monthly = first_year_cash(Some(5_000), "GBP", PayPeriod::Month, "£5k").unwrap();
        assert_eq!(monthly.amount, 65_000);
        let hourly = first_year_cash(Some(50), "USD", PayPeriod::Hour, "").unwrap();
        assert_eq!(hourly.amount, 104_000);
        assert!(hourly.caveat.unwrap().contains("2080 hours"));
        let other_currency = first_year_cash(Some(100_000), "EUR", PayPeriod::Year, "$10k sign-on").unwrap();
        assert_eq!(other_currency.amount, 100_000, "dollars are never added to euros");
        assert!(other_currency.caveat.unwrap().contains("USD not added"));
        let vague = first_year_cash(Some(100_000), "EUR", PayPeriod::Year, "discretionary").unwrap();
        assert_eq!(vague.amount, 100_000);
        assert!(first_year_cash(None, "EUR", PayPeriod::Year, "10%").is_none());
    }

    #[test]
    fn statuses_before_an_offer_move_to_it_and_endings_close_it() {
        assert!(moves_to_offer(OpportunityStatus::Interviewing));
        assert!(!moves_to_offer(OpportunityStatus::Offer));
        assert!(!moves_to_offer(OpportunityStatus::Rejected));
        assert!(offer_is_open(OpportunityStatus::Offer) && offer_is_open(OpportunityStatus::Accepted));
        assert!(!offer_is_open(OpportunityStatus::Withdrawn) && !offer_is_open(OpportunityStatus::Rejected));
    }

    #[test]
    fn deadlines_say_how_long_is_left() {
        assert_eq!(time_to_decide("2027-01-10", "2027-01-01").as_deref(), Some("in 9 days"));
        assert_eq!(time_to_decide("2027-01-02", "2027-01-01").as_deref(), Some("in 1 day"));
        assert_eq!(time_to_decide("2027-01-01", "2027-01-01").as_deref(), Some("today"));
        assert_eq!(time_to_decide("2026-12-31", "2027-01-01").as_deref(), Some("passed"));
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn the_form_offers_every_pay_period() {
        let offered: Vec<&str> = PayPeriod::OPTIONS.iter().map(|(key, _)| *key).collect();
        let all: Vec<&str> = PayPeriod::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(offered, all);
    }

    #[test]
    fn a_document_has_a_kind_and_a_short_note() {
        let form = DocumentForm { kind: "offer_letter".into(), note: "Signed copy".into() };
        assert_eq!(form.validate().unwrap(), (DocumentKind::OfferLetter, "Signed copy".to_owned()));
        assert!(DocumentForm { kind: "photo".into(), ..form.clone() }.validate().unwrap_err().get("kind").is_some());
        let long = DocumentForm { note: "x".repeat(501), ..form };
        assert!(long.validate().unwrap_err().get("note").is_some());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{proptest_config, user_text};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest_config(256))]

        /// Whatever a bonus says, reading it never fails, and the estimate stays in the base's
        /// currency and never goes below the base.
        #[test]
        fn any_bonus_is_read_and_the_estimate_stays_in_one_currency(
            bonus in prop_oneof![user_text(), "[0-9.,% a-zA-Z€£$≈-]{0,24}"],
            base in 0..=1_000_000_000i64,
        ) {
            let _ = read_bonus(&bonus);
            let cash = first_year_cash(Some(base), "EUR", PayPeriod::Year, &bonus).expect("a base in a currency");
            prop_assert_eq!(cash.currency.as_str(), "EUR");
            prop_assert!(cash.amount >= base, "{cash:?}");
        }
    }
}
