//! Password rules: long enough, not absurdly long, and not one of the passwords everybody tries.

use std::fmt;

/// A password that passed the rules. It never prints.
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 1024;

    /// Check a new password. `context` holds words the password must not simply be built from
    /// (the user's email address, the product name).
    pub fn parse_new(input: &str, context: &[&str]) -> Result<Self, String> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!("Use at least {} characters.", Self::MIN_CHARS));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!("Use at most {} characters.", Self::MAX_CHARS));
        }
        if is_common(input, context) {
            return Err("This password is too common or easy to guess. Try a few unrelated words.".into());
        }
        Ok(Password(input.to_owned()))
    }

    /// A password offered at sign-in is checked against the stored hash only; rules may have
    /// changed since it was set. Over-long input is still refused before it reaches Argon2.
    pub fn parse_attempt(input: &str) -> Result<Self, String> {
        if input.is_empty() {
            return Err("Enter your password.".into());
        }
        if input.chars().count() > Self::MAX_CHARS {
            return Err("Wrong email address or password.".into());
        }
        Ok(Password(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Very common passwords, from zxcvbn's frequency lists (the most-used passwords, English words,
/// names) and its pattern matchers (keyboard walks, sequences, repeats, dates). A password whose
/// guess count is under 10^8 falls to an online-plus-leaked-hash attack quickly.
fn is_common(password: &str, context: &[&str]) -> bool {
    let mut inputs: Vec<&str> = vec!["careerlog"];
    inputs.extend(context.iter().copied().filter(|s| !s.is_empty()));
    u8::from(zxcvbn::zxcvbn(password, &inputs).score()) < 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_characters_are_refused_twelve_accepted() {
        assert!(Password::parse_new("Tr0ub4dor&3x", &[]).is_ok());
        let err = Password::parse_new("Tr0ub4dor&3", &[]).unwrap_err();
        assert!(err.contains("at least 12"));
    }

    #[test]
    fn over_long_passwords_are_refused() {
        assert!(Password::parse_new(&"correct horse battery staple ".repeat(40), &[]).is_err());
    }

    #[test]
    fn very_common_passwords_are_refused() {
        for common in
            ["password1234", "123456789012", "qwertyuiop123", "aaaaaaaaaaaa", "passwordpassword", "iloveyou1234"]
        {
            assert!(Password::parse_new(common, &[]).is_err(), "{common} should be refused");
        }
    }

    #[test]
    fn a_password_made_of_the_email_is_refused() {
        assert!(Password::parse_new("ada.lovelace1", &["ada.lovelace@example.com", "ada.lovelace"]).is_err());
    }

    #[test]
    fn a_passphrase_is_accepted() {
        assert!(Password::parse_new("maple orbit lantern quietly", &[]).is_ok());
    }

    #[test]
    fn passwords_never_print() {
        let p = Password::parse_attempt("secret secret").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{awkward_text, proptest_config, user_text};
    use proptest::prelude::*;

    proptest! {
        // The strength check is the slow part; a few cases cover its input handling.
        #![proptest_config(proptest_config(64))]

        #[test]
        fn a_new_password_is_checked_whatever_it_holds(
            input in prop_oneof![user_text(), awkward_text(40), "[ -~]{10,30}"],
            context in proptest::collection::vec(user_text(), 0..3),
        ) {
            let context: Vec<&str> = context.iter().map(String::as_str).collect();
            if let Ok(password) = Password::parse_new(&input, &context) {
                let chars = input.chars().count();
                prop_assert!((Password::MIN_CHARS..=Password::MAX_CHARS).contains(&chars));
                prop_assert_eq!(password.expose(), input.as_str(), "a password is kept exactly as typed");
            }
            if let Ok(attempt) = Password::parse_attempt(&input) {
                prop_assert!(!input.is_empty());
                prop_assert_eq!(attempt.expose(), input.as_str());
            }
        }
    }
}
