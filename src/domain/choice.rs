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
