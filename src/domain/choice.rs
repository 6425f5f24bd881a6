//! Closed sets of values (an opportunity's status, an interview's kind, a skill's level…): each
//! defined once, with the key stored in the database and spoken by the API, the label people
//! read, and parsing from what a form or the API sent.

/// Define a closed set: `closed_set! { pub enum Level { Beginner = ("beginner", "Beginner"), … } }`.
/// The enum serialises as its key (so rows and the API show the key), decodes from the stored
/// key (`#[sqlx(try_from = "String")]` on a row's field), and offers `as_str`, `label`, `parse`,
/// `ALL` and `CHOICES` (key and label pairs, for a form's options).
#[macro_export]
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = ($key:literal, $label:literal)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $key)] $variant),+
        }

        impl $name {
            /// Every value, in the order people see them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// `(key, label)` of every value, for a form's options.
            pub const CHOICES: &'static [(&'static str, &'static str)] = &[$(($key, $label)),+];

            /// The key: what the database stores and the API speaks.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $key),+
                }
            }

            /// What people read.
            pub const fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            /// A key as typed: surrounding space and letter case do not matter.
            pub fn parse(input: &str) -> Option<Self> {
                let input = input.trim();
                Self::ALL.iter().copied().find(|value| value.as_str().eq_ignore_ascii_case(input))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Reading a stored key back (sqlx `try_from`): exactly as written, since queries compare
        /// it exactly too; anything else is a broken row.
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(stored: String) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == stored)
                    .ok_or_else(|| format!("{stored:?} is not a known {}", stringify!($name)))
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl $crate::domain::choice::ClosedSet for $name {
            fn parse(input: &str) -> Option<Self> {
                $name::parse(input)
            }
        }
    };
}

/// What every closed set offers to validation.
pub trait ClosedSet: Copy {
    fn parse(input: &str) -> Option<Self>;
}

/// Read a closed-set field as typed: empty means `default` (which may be none chosen), anything
/// else must be one of the keys, or `message` goes beside the field.
pub fn pick<T: ClosedSet>(
    errors: &mut crate::domain::FieldErrors,
    field: &str,
    input: &str,
    default: Option<T>,
    message: &str,
) -> Option<T> {
    if input.trim().is_empty() {
        return default;
    }
    let value = T::parse(input);
    if value.is_none() {
        errors.add(field, message);
    }
    value
}

#[cfg(test)]
mod tests {
    crate::closed_set! {
        /// A test set.
        pub enum Colour {
            Red = ("red", "Red"),
            DarkBlue = ("dark_blue", "Dark blue"),
        }
    }

    #[test]
    fn a_closed_set_parses_shows_and_stores_its_keys() {
        assert_eq!(Colour::parse(" Dark_Blue "), Some(Colour::DarkBlue));
        assert_eq!(Colour::parse("green"), None);
        assert_eq!(Colour::DarkBlue.label(), "Dark blue");
        assert_eq!(Colour::CHOICES, &[("red", "Red"), ("dark_blue", "Dark blue")]);
        assert_eq!(serde_json::to_string(&Colour::DarkBlue).unwrap(), "\"dark_blue\"");
        assert_eq!(Colour::try_from("red".to_owned()), Ok(Colour::Red));
        assert!(Colour::try_from("purple".to_owned()).is_err());
        assert!(Colour::try_from("Red".to_owned()).is_err(), "stored keys are read exactly");
        assert_eq!(Colour::Red.to_string(), "red");
    }
}

#[cfg(test)]
mod properties {
    use crate::domain::career::SkillLevel;
    use crate::domain::interviews::{InterviewKind, InterviewOutcome};
    use crate::domain::notes::NoteSubject;
    use crate::domain::opportunities::{EventKind, OpportunityStatus, WorkMode};
    use crate::testing::{proptest_config, respelled, user_text};
    use proptest::prelude::*;

    /// Each property below, for every closed set in the domain.
    macro_rules! for_every_closed_set {
        ($($set:ident),+) => {
            /// Any value of any set, as its key respelled the way someone might type it.
            fn typed_keys() -> impl Strategy<Value = (&'static str, String)> {
                let keys: Vec<&'static str> = [$($set::CHOICES),+].concat().iter().map(|(key, _)| *key).collect();
                proptest::sample::select(keys).prop_flat_map(|key| (Just(key), respelled(key)))
            }

            /// Does `input` read as a value of some set? Then its key is `input`, trimmed,
            /// in any letter case.
            fn parsed_key(input: &str) -> Vec<&'static str> {
                let mut keys = Vec::new();
                $(keys.extend($set::parse(input).map($set::as_str));)+
                keys
            }

            /// Every value's key reads back as that value, and is what is stored and sent.
            fn assert_keys_round_trip() {
                $(for value in $set::ALL {
                    assert_eq!($set::parse(value.as_str()), Some(*value));
                    assert_eq!($set::try_from(value.as_str().to_owned()), Ok(*value));
                    let json = serde_json::to_string(value).unwrap();
                    assert_eq!(serde_json::from_str::<$set>(&json).unwrap(), *value);
                })+
            }
        };
    }

    for_every_closed_set!(
        OpportunityStatus,
        WorkMode,
        EventKind,
        InterviewKind,
        InterviewOutcome,
        SkillLevel,
        NoteSubject
    );

    #[test]
    fn every_closed_set_key_round_trips() {
        assert_keys_round_trip();
    }

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn a_key_typed_in_any_case_with_space_around_it_is_read((key, typed) in typed_keys()) {
            prop_assert!(parsed_key(&typed).contains(&key), "{typed:?}");
        }

        #[test]
        fn only_a_key_is_read_as_a_value(input in prop_oneof![user_text(), "[a-zA-Z_ ]{0,20}"]) {
            for key in parsed_key(&input) {
                prop_assert!(key.eq_ignore_ascii_case(input.trim()), "{input:?} read as {key}");
            }
        }
    }
}
