//! `tessera survey ask|slip|due|answer`: feedback at the counter (docs/decisions/0032-surveys.md).
//! Any staff member asks a member on the panel (not asked within the shop's interval), or makes
//! a link, or a slip with its QR, for whoever holds a receipt; the answers come from the survey
//! page, or from `answer` for a kiosk of the shop's own.

use serde::Serialize;
use tessera_core::care::surveys::{SurveyAnswers, SurveyAsked, SurveyPage, SurveyWay, Topic};
use tessera_core::Result;

use super::cards::{printed_line, PrintArgs};
use super::coupon::VoucherWritten;
use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Make a survey: prints its id, token and link (a QR on a receipt, the customer's screen).
    Ask {
        /// The member asked (their card or code): they must be on the panel, and not asked
        /// within the shop's interval. Left out, a link for whoever holds it.
        #[arg(long, value_name = "CODE")]
        member: Option<String>,
        /// Where the shop's pages are reached (http://till.local:8470): the link starts with it.
        #[arg(long, value_name = "URL")]
        link_base: Option<String>,
    },
    /// A slip to hand over with a receipt: a new survey's QR and link, on receipt paper or A6.
    Slip {
        /// The member it is for (on the panel, not asked lately); left out, anyone.
        #[arg(long, value_name = "CODE")]
        member: Option<String>,
        /// Where customers' phones reach the shop's pages (http://192.168.1.20:8470).
        #[arg(long, value_name = "URL")]
        link_base: String,
        #[arg(long, default_value = "strip-80", value_name = "a6|strip-58|strip-80")]
        format: String,
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        #[command(flatten)]
        print: PrintArgs,
    },
    /// Whether this member may be asked now (on the panel, not asked lately).
    Due {
        /// The member's card or code.
        code: String,
    },
    /// Keep a customer's answers, as the survey page would.
    Answer {
        /// The survey's token (from `survey ask`, or its link).
        token: String,
        /// How likely they are to recommend the shop, 0 to 10.
        #[arg(long)]
        nps: i64,
        /// What matters most to them.
        #[arg(long, value_name = "quality|service|speed|price|cleanliness|choice")]
        topic: Option<String>,
        /// How happy they are with it, 1 to 5.
        #[arg(long)]
        score: Option<i64>,
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
}

#[derive(Serialize)]
#[serde(transparent)]
struct AskedOutput(SurveyAsked);

impl Render for AskedOutput {
    fn text(&self, _t: &Text) -> Vec<String> {
        vec![
            self.0.link.clone().unwrap_or_else(|| self.0.token.clone()),
            self.0.id.to_string(),
        ]
    }
}

/// A slip written (and printed): its file, and the survey its QR opens.
#[derive(Serialize)]
struct SlipOutput {
    survey: SurveyAsked,
    #[serde(flatten)]
    written: VoucherWritten,
}

impl Render for SlipOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let file = self.written.file.display().to_string();
        let mut lines = vec![t.t("cli-slip-written", &[("file", shown(&file))])];
        lines.extend(
            self.written
                .printed
                .as_ref()
                .map(|job| printed_line(t, job)),
        );
        lines.extend(self.survey.link.clone());
        lines
    }
}

#[derive(Serialize)]
struct DueOutput {
    due: bool,
}

impl Render for DueOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let key = if self.due {
            "cli-survey-due"
        } else {
            "cli-survey-not-due"
        };
        vec![t.t(key, &[])]
    }
}

#[derive(Serialize)]
struct AnsweredOutput {
    id: String,
    answered: bool,
}

impl Render for AnsweredOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t("cli-survey-answered", &[])]
    }
}

/// A token as given, or the link that ends with it.
fn token(text: &str) -> &str {
    text.trim().rsplit('/').next().unwrap_or_default()
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    match args.command {
        Command::Ask { member, link_base } => {
            let actor = shared::signed_in(cx).await?;
            let member_id = match member {
                Some(code) => Some(shared::member_id(cx.store, &code).await?),
                None => None,
            };
            let asked = cx
                .store
                .ask_survey(&actor, member_id, SurveyWay::Link, link_base.as_deref())
                .await?;
            cx.out.print(&AskedOutput(asked));
        }
        Command::Slip {
            member,
            link_base,
            format,
            out,
            print,
        } => {
            let actor = shared::signed_in(cx).await?;
            let member_id = match member {
                Some(code) => Some(shared::member_id(cx.store, &code).await?),
                None => None,
            };
            let format = format.parse()?;
            let (survey, pdf) = cx
                .store
                .survey_slip(&actor, member_id, &link_base, format)
                .await?;
            tessera_core::support::files::write_file(&out, &pdf)?;
            let printed = print.send(cx.store, &out).await?;
            cx.out.print(&SlipOutput {
                survey,
                written: VoucherWritten { file: out, printed },
            });
        }
        Command::Due { code } => {
            let member = shared::member_id(cx.store, &code).await?;
            let due = cx.store.survey_due(member).await?;
            cx.out.print(&DueOutput { due });
        }
        Command::Answer {
            token: given,
            nps,
            topic,
            score,
            comment,
        } => {
            let topic = topic
                .map(|t| t.trim().parse::<Topic>())
                .transpose()
                .map_err(|_| tessera_core::CoreError::InvalidSurveyAnswer { field: "topic" })?;
            let answers = SurveyAnswers {
                nps: Some(nps),
                topic,
                topic_score: score,
                comment,
            };
            let SurveyPage { id, answered, .. } =
                cx.store.answer_survey(token(&given), &answers).await?;
            cx.out.print(&AnsweredOutput {
                id: id.to_string(),
                answered,
            });
        }
    }
    Ok(())
}
