//! Outgoing email. Three transports behind one trait: files in `<data-dir>/mail` (the default,
//! so sign-up works with no provider), SMTP, and Postmark's HTTP API.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use async_trait::async_trait;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::config::{MailConfig, MailTransport, SmtpSecurity};
use crate::secrets::Secret;

/// A plain-text transactional message.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// The provider refused this mail for good (an address that does not exist, a recipient that
/// bounced before): trying again cannot help, so the outbox gives up at once. Any other error
/// is taken as passing (the provider down, a timeout) and the mail is tried again.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Undeliverable(pub String);

impl Undeliverable {
    /// Whether `error` (or one of its causes) is a refusal for good.
    pub fn is_in(error: &anyhow::Error) -> bool {
        error.chain().any(|cause| cause.is::<Undeliverable>())
    }
}

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, mail: OutgoingMail) -> anyhow::Result<()>;
    /// A short name for logs and the health page.
    fn describe(&self) -> &'static str;
}

/// Build the configured mailer.
pub fn from_config(config: &MailConfig, data_dir: &std::path::Path) -> anyhow::Result<Arc<dyn Mailer>> {
    let from: Mailbox =
        config.from.parse().with_context(|| format!("--mail-from {:?} is not a valid mailbox", config.from))?;
    Ok(match config.transport {
        MailTransport::File => Arc::new(FileMailer::new(data_dir.join("mail"), from)),
        MailTransport::Smtp => Arc::new(SmtpMailer::new(config, from)?),
        MailTransport::Postmark => {
            let token = config
                .postmark_token
                .clone()
                .ok_or_else(|| anyhow!("--mail-transport postmark needs --postmark-token"))?;
            Arc::new(PostmarkMailer::new(
                config.postmark_api_url.clone(),
                token,
                config.postmark_message_stream.clone(),
                from,
            )?)
        }
    })
}

/// An RFC 5322 message with a 7-bit plain text body: links stay whole on one line, so they can be
/// copied from any mail reader (quoted-printable would break long links with soft line breaks).
fn build_message(from: &Mailbox, mail: &OutgoingMail) -> anyhow::Result<Message> {
    let to: Mailbox = mail.to.parse().context("recipient address")?;
    if !mail.text.is_ascii() || mail.text.lines().any(|l| l.len() > 900) {
        bail!("transactional mail bodies must be ASCII with short lines");
    }
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentTransferEncoding::SevenBit)
                // lettre would pick quoted-printable for lines over 76 characters; RFC 5322
                // allows 998, and the text was checked above.
                .body(Body::dangerous_pre_encoded(
                    mail.text.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes(),
                    ContentTransferEncoding::SevenBit,
                )),
        )
        .context("building the message")
}

/// Writes each message as an `.eml` file: the default transport, and handy for development.
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl FileMailer {
    pub fn new(dir: PathBuf, from: Mailbox) -> Self {
        Self { dir, from }
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: OutgoingMail) -> anyhow::Result<()> {
        let message = build_message(&self.from, &mail)?;
        tokio::fs::create_dir_all(&self.dir).await.context("creating the mail directory")?;
        // Names sort by time; the file appears whole (written aside, then renamed).
        let name = format!("{}-{}.eml", crate::clock::SystemClock.now_millis(), uuid::Uuid::new_v4());
        let partial = self.dir.join(format!(".{name}.partial"));
        tokio::fs::write(&partial, message.formatted()).await.context("writing the mail file")?;
        tokio::fs::rename(&partial, self.dir.join(&name)).await.context("naming the mail file")?;
        tracing::info!(file = %name, "mail written to the mail directory");
        Ok(())
    }
    fn describe(&self) -> &'static str {
        "file"
    }
}

/// Whether an SMTP reply (`code`, and its text with an enhanced status code when the server
/// sends one) refuses the recipient's mailbox for good: 550, 551 or 553 about the address
/// (enhanced 5.1.x: no such user, bad address; 5.2.1: mailbox disabled). A 550 about anything
/// else (5.7.x: relaying denied, policy) and every other 5xx (530, 535: authentication; 554)
/// are not: they come from how this instance sends, not from the address.
pub fn refuses_the_mailbox(code: &str, text: &str) -> bool {
    if !matches!(code, "550" | "551" | "553") {
        return false;
    }
    let enhanced = text.split_whitespace().find(|word| {
        let parts: Vec<&str> = word.trim_end_matches([':', ',']).split('.').collect();
        parts.len() == 3 && parts.iter().all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    });
    match enhanced.map(|word| word.trim_end_matches([':', ','])) {
        Some(status) => status.starts_with("5.1.") || status == "5.2.1",
        // Without an enhanced code, 551 and 553 still name the address; a bare 550 may not.
        None => code != "550",
    }
}

/// Sends through an SMTP server (lettre).
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(config: &MailConfig, from: Mailbox) -> anyhow::Result<Self> {
        let host = config.smtp_host.as_deref().ok_or_else(|| anyhow!("--mail-transport smtp needs --smtp-host"))?;
        let mut builder = match config.smtp_security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?.port(config.smtp_port.unwrap_or(587))
            }
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host)?.port(config.smtp_port.unwrap_or(465))
            }
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(config.smtp_port.unwrap_or(25))
            }
        };
        if let Some(username) = &config.smtp_username {
            let password = config.smtp_password.as_ref().map(|p| p.expose().clone()).unwrap_or_default();
            builder = builder.credentials(Credentials::new(username.clone(), password));
        }
        let transport = builder.timeout(Some(Duration::from_secs(15))).build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: OutgoingMail) -> anyhow::Result<()> {
        let message = build_message(&self.from, &mail).map_err(|err| Undeliverable(format!("{err:#}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            // The recipient's mailbox refused for good: the same mail would be refused again.
            // Other 5xx replies (a wrong password, relaying denied) are the sender's to fix, and
            // the mail waits for that.
            Err(err)
                if err.is_permanent()
                    && err.status().is_some_and(|code| refuses_the_mailbox(&code.to_string(), &err.to_string())) =>
            {
                Err(anyhow::Error::new(Undeliverable(err.to_string())).context("the SMTP server refused the mail"))
            }
            Err(err) => Err(anyhow::Error::new(err).context("SMTP delivery failed")),
        }
    }
    fn describe(&self) -> &'static str {
        "smtp"
    }
}

/// Sends through Postmark's `POST /email` endpoint.
pub struct PostmarkMailer {
    client: reqwest::Client,
    endpoint: url::Url,
    token: Secret<String>,
    message_stream: String,
    from: Mailbox,
}

/// The body Postmark's single-email endpoint takes (field names are Postmark's).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PostmarkEmail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub message_stream: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PostmarkResponse {
    error_code: i64,
    message: String,
}

impl PostmarkMailer {
    pub fn new(
        api_url: url::Url,
        token: Secret<String>,
        message_stream: String,
        from: Mailbox,
    ) -> anyhow::Result<Self> {
        let endpoint = api_url.join("/email").context("Postmark API URL")?;
        let client =
            reqwest::Client::builder().timeout(Duration::from_secs(15)).build().context("building the HTTP client")?;
        Ok(Self { client, endpoint, token, message_stream, from })
    }
}

#[async_trait]
impl Mailer for PostmarkMailer {
    async fn send(&self, mail: OutgoingMail) -> anyhow::Result<()> {
        let body = PostmarkEmail {
            from: self.from.to_string(),
            to: mail.to,
            subject: mail.subject,
            text_body: mail.text,
            message_stream: self.message_stream.clone(),
        };
        // An address Postmark cannot take (300) or one that bounced or complained before (406).
        const REFUSED_FOR_GOOD: [i64; 2] = [300, 406];
        let response = self
            .client
            .post(self.endpoint.clone())
            .header("Accept", "application/json")
            .header("X-Postmark-Server-Token", self.token.expose())
            .json(&body)
            .send()
            .await
            .context("Postmark could not be reached")?;
        let status = response.status();
        let answer: Option<PostmarkResponse> = response.json().await.ok();
        match answer {
            Some(answer) if status.is_success() && answer.error_code == 0 => Ok(()),
            Some(answer) if REFUSED_FOR_GOOD.contains(&answer.error_code) => Err(anyhow::Error::new(Undeliverable(
                format!("Postmark refused the message: {} (code {})", answer.message, answer.error_code),
            ))),
            Some(answer) => bail!("Postmark refused the message: {} (code {})", answer.message, answer.error_code),
            None => bail!("Postmark answered {status} without a readable body"),
        }
    }
    fn describe(&self) -> &'static str {
        "postmark"
    }
}

#[cfg(test)]
mod tests {
    use super::refuses_the_mailbox;

    #[test]
    fn only_refusals_of_the_recipients_mailbox_are_for_good() {
        for (code, text) in [
            ("550", "permanent error (550): 5.1.1 <nobody@example.com>: no such user here"),
            ("553", "permanent error (553): 5.1.3 bad recipient address syntax"),
            ("550", "permanent error (550): 5.2.1 mailbox disabled, not accepting messages"),
            ("551", "permanent error (551): user not local"),
        ] {
            assert!(refuses_the_mailbox(code, text), "{code} {text}");
        }
        for (code, text) in [
            ("535", "permanent error (535): 5.7.8 authentication credentials invalid"),
            ("530", "permanent error (530): 5.7.0 must issue a STARTTLS command first"),
            ("550", "permanent error (550): 5.7.1 relaying denied"),
            ("550", "permanent error (550): requested action not taken"),
            ("554", "permanent error (554): 5.1.1 transaction failed"),
        ] {
            assert!(!refuses_the_mailbox(code, text), "{code} {text}");
        }
    }
}
