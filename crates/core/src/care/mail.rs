//! A campaign's emails, sent by this till through the mail server the manager names
//! (docs/decisions/0031-panel-and-campaigns.md). Each member's email is in their language, with
//! their coupon attached as a voucher, and an unsubscribe link (also in the `List-Unsubscribe`
//! header, so a mail app shows its own button).
//!
//! Sending is at least once, never twice on purpose: a message the server took is marked sent
//! at once, so a send cut short (the server gone, the till closed) goes on with the rest only.
//! Consent is read again just before each message: a member who unsubscribed in between is
//! not written to.

use chrono::Utc;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;
use uuid::Uuid;

use super::campaigns::{CampaignChannel, CampaignPlan, How};
use crate::cards::voucher::VoucherFormat;
use crate::codes::unsubscribe_token::Unsubscribe;
use crate::error::{CoreError, Result};
use crate::i18n::Messages;
use crate::ids::{CouponId, MemberId};
use crate::people::auth::Permission;
use crate::people::member_data::{Channel, ConsentColumns, CONSENT_COLUMNS};
use crate::people::shop::Actor;
use crate::store::Store;

/// The mail server a manager names: `smtps://user:password@mail.example` (TLS),
/// `smtp://…?tls=required` (STARTTLS), or plain `smtp://` on this computer only; and the
/// address the emails come from (`Café Lumière <hello@cafe.example>`).
#[derive(Clone, Debug)]
pub struct MailServer {
    pub url: String,
    pub from: String,
}

/// What a send did: the campaign, and how many messages the server took, refused, or still
/// wait (the server went away: `tessera campaign send --resume` goes on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CampaignSent {
    pub campaign: Uuid,
    pub sent: usize,
    pub refused: usize,
    pub waiting: usize,
}

/// The mail server's URL without its password, for a message a person reads.
fn shown_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The transport for `url`, refusing an unencrypted connection to another computer: the
/// password and the members' addresses would cross the network in clear.
fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let invalid = || CoreError::InvalidMailServer {
        url: shown_url(url),
    };
    let parsed = url::Url::parse(url.trim()).map_err(|_| invalid())?;
    let encrypted = parsed.scheme() == "smtps"
        || parsed
            .query_pairs()
            .any(|(k, v)| k == "tls" && v == "required");
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        // `smtp:` is not a scheme the URL standard knows: its host comes as a name.
        Some(url::Host::Domain(name)) => {
            name == "localhost"
                || name
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    };
    if !encrypted && !loopback {
        return Err(CoreError::InsecureMailServer {
            url: shown_url(url),
        });
    }
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
        .map_err(|_| invalid())?
        .build())
}

/// One message still to send, read just before it goes.
#[derive(sqlx::FromRow)]
struct Unsent {
    member_id: MemberId,
    coupon_id: Option<CouponId>,
    name: String,
    email: Option<String>,
    language: String,
    erased: bool,
    #[sqlx(flatten)]
    consent: ConsentColumns,
}

#[derive(sqlx::FromRow)]
struct Stored {
    message: Option<String>,
    link_base: Option<String>,
}

impl Store {
    /// Managers only: starts a campaign by email and sends it. The mail server is checked
    /// before anything is written.
    pub async fn send_campaign(
        &self,
        actor: &Actor,
        plan: &CampaignPlan,
        server: &MailServer,
    ) -> Result<CampaignSent> {
        actor.require(Permission::RunCampaigns)?;
        if plan.channel != CampaignChannel::Email {
            return Err(CoreError::InvalidChannel);
        }
        transport(&server.url)?;
        sender(&server.from)?;
        let campaign = self.start_campaign(actor, plan, How::Email).await?;
        self.resume_campaign(actor, campaign.id, server).await
    }

    /// Managers only: sends a campaign's messages not sent yet (after a send cut short).
    pub async fn resume_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        server: &MailServer,
    ) -> Result<CampaignSent> {
        actor.require(Permission::RunCampaigns)?;
        let mailer = transport(&server.url)?;
        let from = sender(&server.from)?;
        let stored: Stored = sqlx::query_as(
            "SELECT message, link_base FROM campaign WHERE id = ? AND how = 'email'",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::CampaignNotFound)?;
        let unsent: Vec<Unsent> = sqlx::query_as(&format!(
            "SELECT cm.member_id, cm.coupon_id, m.name, m.email, m.language,
                    m.erased_at IS NOT NULL AS erased, {CONSENT_COLUMNS}
             FROM campaign_member cm JOIN member m ON m.id = cm.member_id
             WHERE cm.campaign_id = ? AND cm.sent_at IS NULL AND cm.refused IS NULL
             ORDER BY m.created_at, m.id"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let shop = self.require_shop().await?;
        let key = self.signing_key().await?;
        let mut outcome = CampaignSent {
            campaign: id,
            sent: 0,
            refused: 0,
            waiting: unsent.len(),
        };
        for member in unsent {
            let consent = member.consent.consent();
            let address = member
                .email
                .as_deref()
                .filter(|_| !member.erased && consent.granted(Channel::Email));
            let Some(address) = address else {
                // Unsubscribed or erased since the campaign started: never written to.
                self.mark(id, member.member_id, None, Some("consent withdrawn"))
                    .await?;
                outcome.waiting -= 1;
                continue;
            };
            let (coupon, voucher) = match member.coupon_id {
                Some(coupon) => (
                    Some(self.coupon(coupon).await?),
                    Some(self.coupon_pdf(actor, coupon, VoucherFormat::A6).await?),
                ),
                None => (None, None),
            };
            let token = key.issue_unsubscribe(Unsubscribe {
                member_id: member.member_id,
                channel: Channel::Email,
            });
            let link = stored
                .link_base
                .as_ref()
                .map(|base| format!("{base}/u/{token}"));
            let to = Mailbox::new(
                Some(member.name.clone()),
                address.parse().map_err(|_| CoreError::InvalidEmail)?,
            );
            // The letter and its Fluent bundle (not `Send`) are gone before the next await.
            let email = Letter {
                messages: &Messages::new(&member.language),
                shop: &shop.name,
                name: &member.name,
                message: stored.message.as_deref(),
                coupon: coupon.as_ref(),
                link: link.as_deref(),
            }
            .email(from.clone(), to, voucher)?;
            match mailer.send(email).await {
                Ok(_) => {
                    self.mark(id, member.member_id, Some(Utc::now()), None)
                        .await?;
                    outcome.sent += 1;
                    outcome.waiting -= 1;
                }
                Err(e) if e.is_permanent() => {
                    // This address is refused (no such mailbox): the others still go.
                    let answer = e
                        .status()
                        .map_or("refused".to_string(), |code| code.to_string());
                    self.mark(id, member.member_id, None, Some(&answer)).await?;
                    outcome.refused += 1;
                    outcome.waiting -= 1;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "mail server unreachable");
                    return Err(CoreError::MailServerUnreachable {
                        url: shown_url(&server.url),
                        campaign: id.to_string(),
                        sent: outcome.sent as i64,
                        waiting: outcome.waiting as i64,
                    });
                }
            }
        }
        Ok(outcome)
    }

    async fn mark(
        &self,
        campaign: Uuid,
        member: MemberId,
        sent_at: Option<chrono::DateTime<Utc>>,
        refused: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE campaign_member SET sent_at = ?, refused = ?
             WHERE campaign_id = ? AND member_id = ?",
        )
        .bind(sent_at)
        .bind(refused)
        .bind(campaign)
        .bind(member)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await
    }
}

fn sender(from: &str) -> Result<Mailbox> {
    from.trim().parse().map_err(|_| CoreError::InvalidSender)
}

/// One member's email, in their language.
struct Letter<'a> {
    messages: &'a Messages,
    shop: &'a str,
    name: &'a str,
    message: Option<&'a str>,
    coupon: Option<&'a crate::counter::coupons::CouponView>,
    link: Option<&'a str>,
}

impl Letter<'_> {
    fn say(&self, key: &str, args: &[(&str, String)]) -> String {
        let args = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        self.messages.format(key, &args)
    }

    fn subject(&self) -> String {
        match self.coupon {
            Some(coupon) => self.say(
                "mail-subject-coupon",
                &[
                    ("shop", self.shop.to_string()),
                    ("offer", coupon.offer(self.messages)),
                ],
            ),
            None => self.say("mail-subject", &[("shop", self.shop.to_string())]),
        }
    }

    fn body(&self) -> String {
        let mut parts = vec![self.say("mail-greeting", &[("name", self.name.to_string())])];
        if let Some(message) = self.message {
            parts.push(message.to_string());
        }
        if let Some(coupon) = self.coupon {
            let offer = coupon.offer(self.messages);
            let text = coupon.text.clone().unwrap_or_else(|| offer.clone());
            parts.push(match coupon.expires_on {
                Some(day) => self.say(
                    "mail-coupon",
                    &[
                        ("offer", offer),
                        ("text", text),
                        ("date", self.messages.date(day)),
                    ],
                ),
                None => self.say("mail-coupon-no-expiry", &[("offer", offer), ("text", text)]),
            });
        }
        parts.push(match self.link {
            Some(link) => self.say(
                "mail-footer",
                &[("shop", self.shop.to_string()), ("link", link.to_string())],
            ),
            None => self.say("mail-footer-no-link", &[("shop", self.shop.to_string())]),
        });
        parts.join("\n\n")
    }

    fn email(&self, from: Mailbox, to: Mailbox, voucher: Option<Vec<u8>>) -> Result<Message> {
        let mut builder = Message::builder().from(from).to(to).subject(self.subject());
        if let Some(link) = self.link {
            // RFC 2369 and RFC 8058: the mail app's own "unsubscribe" button, in one click.
            let header = |name: &str, value: String| {
                HeaderName::new_from_ascii(name.to_string())
                    .map(|name| HeaderValue::new(name, value))
                    .map_err(|e| CoreError::internal("mail header", e))
            };
            builder = builder
                .raw_header(header("List-Unsubscribe", format!("<{link}>"))?)
                .raw_header(header(
                    "List-Unsubscribe-Post",
                    "List-Unsubscribe=One-Click".into(),
                )?);
        }
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(self.body());
        let built = match voucher {
            Some(pdf) => builder.multipart(
                MultiPart::mixed().singlepart(text).singlepart(
                    Attachment::new(format!("{}.pdf", self.say("mail-voucher-file", &[])))
                        .body(pdf, "application/pdf".parse().expect("a MIME type")),
                ),
            ),
            None => builder.singlepart(text),
        };
        built.map_err(|e| CoreError::internal("mail message", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The desktop app runs commands on any thread: a send must be a `Send` future (a Fluent
    /// bundle held across an await is not). Checked by the compiler; nothing to run.
    #[allow(dead_code)]
    fn sending_can_run_on_any_thread(
        store: &Store,
        actor: &Actor,
        plan: &CampaignPlan,
        server: &MailServer,
    ) {
        fn on_any_thread(_: impl Send) {}
        on_any_thread(store.send_campaign(actor, plan, server));
        on_any_thread(store.export_campaign(actor, plan));
    }

    #[test]
    fn a_mail_server_is_shown_without_its_password() {
        assert_eq!(
            shown_url("smtps://ana:s3cret@mail.example:465"),
            "smtps://mail.example:465"
        );
        assert_eq!(shown_url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }

    #[test]
    fn only_a_mail_server_on_this_computer_may_be_reached_in_clear() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
            "smtp://[::1]:25",
        ] {
            assert!(transport(url).is_ok(), "{url}");
        }
        for url in ["smtp://mail.example:587", "smtp://192.0.2.1:25"] {
            assert_eq!(transport(url).unwrap_err().code(), "insecure_mail_server");
        }
        for url in [
            "smtps://mail.example",
            "smtp://mail.example:587?tls=required",
        ] {
            assert!(transport(url).is_ok(), "{url}");
        }
        assert_eq!(
            transport("mail.example").unwrap_err().code(),
            "invalid_mail_server"
        );
    }
}
