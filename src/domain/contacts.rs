//! A contact as a form or the API gives it.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::fields::{self, nullable_list, nullable_text, set};
use crate::domain::records::Draft;
use crate::domain::records::LabelNames;
use crate::domain::records::{DESCRIPTION, SHORT};
use crate::domain::FieldErrors;

pub const CONTACT_LINKS_MAX: usize = 10;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContactDraft {
    pub name: String,
    pub company: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    /// One web address per line.
    pub links: String,
    pub how_we_met: String,
    pub notes: String,
    pub labels: LabelNames,
}

/// A contact as the API takes it: `name` is needed on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(format = Email)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 40, pattern = r"^[0-9 +().-]*$")]
    pub phone: Option<String>,
    /// http(s) addresses: a profile, a site.
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::web_links_input)]
    pub links: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub how_we_met: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct ContactInput {
    pub name: String,
    pub company: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub links: Vec<String>,
    pub how_we_met: String,
    pub notes: String,
    pub labels: Vec<String>,
}

impl ContactDraft {
    pub fn blank() -> Self {
        Self::default()
    }
}

impl Draft for ContactDraft {
    type Write = ContactWrite;
    type Input = ContactInput;

    fn apply(&mut self, write: ContactWrite) {
        set(&mut self.name, write.name);
        set(&mut self.company, write.company);
        set(&mut self.role, write.role);
        set(&mut self.email, write.email);
        set(&mut self.phone, write.phone);
        if let Some(links) = write.links {
            let links = &links[..links.len().min(CONTACT_LINKS_MAX + 1)];
            self.links = links.iter().map(|l| l.replace(['\n', '\r'], " ")).collect::<Vec<_>>().join("\n");
        }
        set(&mut self.how_we_met, write.how_we_met);
        set(&mut self.notes, write.notes);
        crate::domain::records::set_label_names(&mut self.labels, write.labels);
    }

    fn validate(&self) -> Result<ContactInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", fields::required_line(&self.name, SHORT, "the person’s name"));
        let company = e.check("company", fields::line(&self.company, SHORT));
        let role = e.check("role", fields::line(&self.role, SHORT));
        let email = if self.email.trim().is_empty() {
            Some(String::new())
        } else {
            e.check("email", crate::domain::Email::parse(&self.email).map(|m| m.as_str().to_owned()))
        };
        let phone = e.check("phone", fields::phone(&self.phone));
        let mut links = Vec::new();
        let lines: Vec<&str> = self.links.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if lines.len() > CONTACT_LINKS_MAX {
            e.add("links", format!("At most {CONTACT_LINKS_MAX} links."));
        } else {
            for line in lines {
                match fields::optional_web_link(line) {
                    Ok(Some(link)) => links.push(link),
                    Ok(None) => {}
                    Err(message) => e.add("links", message),
                }
            }
        }
        let how_we_met = e.check("how_we_met", fields::line(&self.how_we_met, SHORT));
        let notes = e.check("notes", fields::text(&self.notes, DESCRIPTION));
        let labels = crate::domain::records::parse_labels(&mut e, &self.labels);
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ContactInput {
            name: name.unwrap_or_default(),
            company: company.unwrap_or_default(),
            role: role.unwrap_or_default(),
            email: email.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            links,
            how_we_met: how_we_met.unwrap_or_default(),
            notes: notes.unwrap_or_default(),
            labels,
        })
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{proptest_config, user_text};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn a_phone_number_has_only_its_characters(input in prop_oneof!["[0-9 +().-]{0,45}", user_text()]) {
            if let Ok(number) = fields::phone(&input) {
                prop_assert!(number.chars().count() <= 40 && number.trim() == number);
                prop_assert!(number.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)));
                prop_assert_eq!(fields::phone(&number), Ok(number.clone()));
            }
        }
    }
}
