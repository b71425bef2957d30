//! `tessera complaint add|compensate|resolve|list|follow-up|rules|rule`: complaints made right
//! (docs/decisions/0030-complaints.md). Any staff member logs one, gives the coupon the shop's
//! rule proposes, resolves their own, and records the member's answer at the next visit; a
//! manager sets the rules.

use serde::Serialize;
use tessera_core::care::complaints::{
    words_key, Category, CompensationRule, Complaint, FollowUp, Logged, NewComplaint, Severity,
};
use tessera_core::codes::coupon_token::CouponKind;
use tessera_core::counter::coupons;
use tessera_core::{CoreError, Result};

use super::coupon::{CouponOutput, Kind};
use super::{shared, Context};
use crate::output::{shown, shown_opt, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CategoryArg {
    Quality,
    Service,
    Wait,
    Price,
    Cleanliness,
    Other,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SeverityArg {
    Low,
    Medium,
    High,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Answer {
    Yes,
    No,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Log a complaint; prints its id and the coupon the shop's rule proposes for it.
    Add {
        /// The member (their card or code); left out, an anonymous complaint.
        #[arg(long, value_name = "CODE")]
        member: Option<String>,
        #[arg(long, value_enum)]
        category: CategoryArg,
        #[arg(long, value_enum)]
        severity: SeverityArg,
        /// What happened, in a few words.
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// Give the coupon the shop's rule proposes for this complaint (once).
    Compensate { id: String },
    /// Put a complaint right (its owner or a manager), saying how.
    Resolve {
        id: String,
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// The open complaints, soonest due first; --all for every one, newest first.
    List {
        #[arg(long)]
        all: bool,
    },
    /// The complaint to ask this member about at this visit ("Was this put right?"), if any;
    /// with --answer, records their answer.
    FollowUp {
        /// The member's card or code.
        code: String,
        #[arg(long, value_enum)]
        answer: Option<Answer>,
    },
    /// The coupon the till proposes for each kind of complaint (the shop's rules).
    Rules,
    /// Set what one kind of complaint proposes (managers): a coupon, or --none.
    Rule {
        #[arg(long, value_enum)]
        category: CategoryArg,
        #[arg(long, value_enum, required_unless_present = "none")]
        kind: Option<Kind>,
        /// As for `coupon issue --value`: items, an amount ("2,50") or a percentage.
        #[arg(long)]
        value: Option<String>,
        /// How many days the coupon is good for.
        #[arg(long, default_value_t = 30)]
        days: i64,
        /// The coupon's words; left out, the till's own for this kind of complaint.
        #[arg(long)]
        text: Option<String>,
        /// Propose nothing for this kind of complaint.
        #[arg(long, conflicts_with_all = ["kind", "value", "text"])]
        none: bool,
    },
}

impl From<CategoryArg> for Category {
    fn from(category: CategoryArg) -> Category {
        match category {
            CategoryArg::Quality => Category::Quality,
            CategoryArg::Service => Category::Service,
            CategoryArg::Wait => Category::Wait,
            CategoryArg::Price => Category::Price,
            CategoryArg::Cleanliness => Category::Cleanliness,
            CategoryArg::Other => Category::Other,
        }
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct RulesOutput {
    rules: Vec<CompensationRule>,
    #[serde(skip)]
    currency: String,
}

impl Render for RulesOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        Category::ALL
            .iter()
            .map(|category| {
                let name = t.t(&format!("complaint-category-{}", category.as_str()), &[]);
                match self.rules.iter().find(|r| r.category == *category) {
                    Some(rule) => t.t(
                        "cli-compensation-rule",
                        &[
                            ("category", name),
                            (
                                "offer",
                                coupons::offer_words(
                                    t.messages(),
                                    rule.kind,
                                    rule.value,
                                    &self.currency,
                                ),
                            ),
                            ("days", rule.days.to_string()),
                            (
                                "text",
                                rule.text
                                    .as_deref()
                                    .map(shown)
                                    .unwrap_or_else(|| t.t(words_key(rule.category), &[])),
                            ),
                        ],
                    ),
                    None => t.t("cli-compensation-none", &[("category", name)]),
                }
            })
            .collect()
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct LoggedOutput(pub Logged);

impl Render for LoggedOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let mut lines = ComplaintOutput(self.0.complaint.clone()).text(t);
        if let Some(coupon) = &self.0.proposed_coupon {
            lines.push(t.t("cli-complaint-proposal", &[("coupon", shown(&coupon.text))]));
        }
        lines
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct ComplaintOutput(pub Complaint);

impl Render for ComplaintOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        complaint_lines(t, &self.0)
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct ComplaintsOutput(pub Vec<Complaint>);

impl Render for ComplaintsOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        if self.0.is_empty() {
            return vec![t.t("cli-complaints-none", &[])];
        }
        self.0.iter().flat_map(|c| complaint_lines(t, c)).collect()
    }
}

/// The complaint to ask about now, or none.
#[derive(Serialize)]
#[serde(transparent)]
pub struct FollowUpOutput(pub Option<Complaint>);

impl Render for FollowUpOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        match &self.0 {
            Some(c) => {
                let mut lines = vec![t.t("follow-up-question", &[])];
                lines.extend(complaint_lines(t, c));
                lines
            }
            None => vec![t.t("cli-follow-up-none", &[])],
        }
    }
}

fn complaint_lines(t: &Text, c: &Complaint) -> Vec<String> {
    let who =
        shown_opt(c.member_name.as_deref()).unwrap_or_else(|| t.t("complaint-anonymous", &[]));
    let state = match (&c.resolved_at, &c.follow_up) {
        (_, Some(FollowUp::Yes)) => t.t("complaint-put-right", &[]),
        (_, Some(FollowUp::No)) => t.t("complaint-not-put-right", &[]),
        (Some(_), None) => t.t("complaint-resolved", &[]),
        (None, None) => t.t(
            "complaint-due",
            &[("date", c.due_at.format("%Y-%m-%d %H:%M").to_string())],
        ),
    };
    vec![
        format!(
            "{}  {who} · {} · {} · {state}",
            c.logged_at.format("%Y-%m-%d %H:%M"),
            t.t(&format!("complaint-category-{}", c.category.as_str()), &[]),
            t.t(
                match c.severity {
                    Severity::Low => "complaint-severity-low",
                    Severity::Medium => "complaint-severity-medium",
                    Severity::High => "complaint-severity-high",
                },
                &[]
            ),
        ),
        format!("  {}", shown(&c.note)),
        format!("  {}", c.id),
    ]
}

fn complaint_id(text: &str) -> Result<tessera_core::ids::ComplaintId> {
    text.trim()
        .parse()
        .map_err(|_| CoreError::ComplaintNotFound)
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    match args.command {
        Command::Add {
            member,
            category,
            severity,
            note,
        } => {
            let actor = shared::signed_in(cx).await?;
            let member_id = match member {
                Some(code) => Some(shared::member_id(cx.store, &code).await?),
                None => None,
            };
            let new = NewComplaint {
                member_id,
                category: category.into(),
                severity: match severity {
                    SeverityArg::Low => Severity::Low,
                    SeverityArg::Medium => Severity::Medium,
                    SeverityArg::High => Severity::High,
                },
                note,
            };
            cx.out
                .print(&LoggedOutput(cx.store.add_complaint(&actor, &new).await?));
        }
        Command::Compensate { id } => {
            let actor = shared::signed_in(cx).await?;
            let coupon = cx
                .store
                .compensate_complaint(&actor, complaint_id(&id)?)
                .await?;
            cx.out.print(&CouponOutput(coupon));
        }
        Command::Resolve { id, note } => {
            let actor = shared::signed_in(cx).await?;
            let done = cx
                .store
                .resolve_complaint(&actor, complaint_id(&id)?, &note)
                .await?;
            cx.out.print(&ComplaintOutput(done));
        }
        Command::List { all } => {
            cx.out
                .print(&ComplaintsOutput(cx.store.complaints(all).await?));
        }
        Command::FollowUp { code, answer } => {
            let member = shared::member_id(cx.store, &code).await?;
            let due = cx.store.follow_up_due(member).await?;
            match (answer, due) {
                (None, due) => cx.out.print(&FollowUpOutput(due)),
                (Some(_), None) => return Err(CoreError::NoFollowUp),
                (Some(answer), Some(due)) => {
                    let actor = shared::signed_in(cx).await?;
                    let answer = match answer {
                        Answer::Yes => FollowUp::Yes,
                        Answer::No => FollowUp::No,
                    };
                    let done = cx.store.answer_follow_up(&actor, due.id, answer).await?;
                    cx.out.print(&ComplaintOutput(done));
                }
            }
        }
        Command::Rules => {
            let currency = cx.store.require_shop().await?.currency;
            cx.out.print(&RulesOutput {
                rules: cx.store.compensation_rules().await?,
                currency,
            });
        }
        Command::Rule {
            category,
            kind,
            value,
            days,
            text,
            none,
        } => {
            let actor = shared::signed_in(cx).await?;
            let category = Category::from(category);
            let mut rules: Vec<CompensationRule> = cx
                .store
                .compensation_rules()
                .await?
                .into_iter()
                .filter(|r| r.category != category)
                .collect();
            if let (false, Some(kind)) = (none, kind) {
                let kind = CouponKind::from(kind);
                rules.push(CompensationRule {
                    category,
                    kind,
                    value: coupons::typed_value(kind, value.as_deref())?,
                    text,
                    days,
                });
            }
            let rules = cx.store.set_compensation_rules(&actor, &rules).await?;
            let currency = cx.store.require_shop().await?.currency;
            cx.out.print(&RulesOutput { rules, currency });
        }
    }
    Ok(())
}
