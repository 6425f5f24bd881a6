//! The account's reading preferences: the time zone times are shown in and the currency
//! salaries are in when none is given. Settings change them through a form; the API through
//! `PATCH /api/v1/me`.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::fields::nullable_text;
use crate::domain::FieldErrors;

pub const CURRENCY_HINT: &str = "Use a three-letter currency code, such as EUR, GBP or USD.";

/// A currency code: three letters, given in any case, kept in capitals. Empty is `None`.
pub fn currency_code(input: &str) -> Result<Option<String>, String> {
    let code = input.trim();
    if code.is_empty() {
        return Ok(None);
    }
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(Some(code.to_ascii_uppercase()))
    } else {
        Err(CURRENCY_HINT.into())
    }
}

/// An IANA time zone the server knows, given in any case, kept as the database spells it.
/// Empty is `""` (not known: the browser tells it again).
pub fn time_zone(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Ok(String::new());
    }
    let unknown =
        || "That is not a time zone we know. Use a name such as Europe/Berlin or America/New_York.".to_owned();
    if name.len() > 64 {
        return Err(unknown());
    }
    let zone = jiff::tz::TimeZone::get(name).map_err(|_| unknown())?;
    Ok(zone.iana_name().unwrap_or(name).to_owned())
}

/// `PATCH /api/v1/me`: only the fields sent change; `null` (or `""`) clears one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesWrite {
    /// The IANA time zone times are shown in, such as `Europe/Berlin` (read case-insensitively).
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = time_zone_or_null)]
    pub time_zone: Option<String>,
    /// The currency a new opportunity's salary is in: ISO 4217, such as `EUR`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = currency_or_null)]
    pub default_currency: Option<String>,
}

fn time_zone_or_null() -> utoipa::openapi::schema::Object {
    let names: Vec<String> = jiff::tz::db().available().map(|name| name.as_str().to_owned()).collect();
    crate::domain::schema::choice(
        names,
        true,
        true,
        "An IANA time zone, such as `Europe/Berlin` (read case-insensitively); `null` or `\"\"` clears it.",
    )
}

fn currency_or_null() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some("^[A-Za-z]{3}$"))
        .description(Some(
            "Three letters, such as `EUR` (read in any case, answered in capitals); `null` or `\"\"` clears it.",
        ))
        .build()
}

/// The preferences as they will be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub time_zone: String,
    pub default_currency: Option<String>,
}

impl PreferencesWrite {
    /// The stored preferences with this body's changes, or a message per field.
    pub fn apply_to(&self, current: Preferences) -> Result<Preferences, FieldErrors> {
        let mut errors = FieldErrors::new();
        let time_zone = match &self.time_zone {
            Some(typed) => errors.check("time_zone", time_zone(typed)),
            None => Some(current.time_zone),
        };
        let default_currency = match &self.default_currency {
            Some(typed) => errors.check("default_currency", currency_code(typed)),
            None => Some(current.default_currency),
        };
        match (time_zone, default_currency) {
            (Some(time_zone), Some(default_currency)) if errors.is_empty() => {
                Ok(Preferences { time_zone, default_currency })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> Preferences {
        Preferences { time_zone: "Europe/Berlin".into(), default_currency: Some("EUR".into()) }
    }

    #[test]
    fn currencies_are_three_letters_kept_in_capitals() {
        assert_eq!(currency_code(" gbp "), Ok(Some("GBP".into())));
        assert_eq!(currency_code(""), Ok(None));
        for bad in ["euros", "£", "EU", "E1R", "ÉUR", "🦀🦀🦀"] {
            assert_eq!(currency_code(bad), Err(CURRENCY_HINT.into()), "{bad:?}");
        }
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_checks_every_field() {
        let write: PreferencesWrite = serde_json::from_str(r#"{"default_currency": "usd"}"#).unwrap();
        let kept = write.apply_to(current()).unwrap();
        assert_eq!(kept, Preferences { time_zone: "Europe/Berlin".into(), default_currency: Some("USD".into()) });
        let write: PreferencesWrite =
            serde_json::from_str(r#"{"time_zone": "america/new_york", "default_currency": null}"#).unwrap();
        let kept = write.apply_to(current()).unwrap();
        assert_eq!(kept, Preferences { time_zone: "America/New_York".into(), default_currency: None });
        let write: PreferencesWrite =
            serde_json::from_str(r#"{"time_zone": "Mars/Olympus", "default_currency": "euros"}"#).unwrap();
        let errors = write.apply_to(current()).unwrap_err();
        assert!(errors.get("time_zone").is_some() && errors.get("default_currency").is_some());
        assert!(serde_json::from_str::<PreferencesWrite>(r#"{"currency": "EUR"}"#).is_err());
    }
}
