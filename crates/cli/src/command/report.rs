//! `tessera report summary|retention|at-risk|staff [--from DATE] [--to DATE] [--csv]`
//! (managers): the reports of Manager › Reports, days counted in the shop's time zone. Text
//! by default, `--json` for scripts, `--csv` for a spreadsheet (on stdout).

use std::io::Write;

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use tessera_core::reports::at_risk::AtRisk;
use tessera_core::reports::clock::ReportClock;
use tessera_core::reports::csv::CsvStyle;
use tessera_core::reports::retention::Retention;
use tessera_core::reports::staff::StaffReport;
use tessera_core::reports::summary::Summary;
use tessera_core::reports::{Period, Point};
use tessera_core::{CoreError, Result};

use super::{shared, Context};
use crate::output::{display_code, shown, Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Members who came back, rewards given, new members, visits per week, each program's
    /// punches and rewards (default: this month so far).
    Summary(PeriodArgs),
    /// Of each month's new members, the share who came back within 30, 60 and 90 days
    /// (default: the last twelve months).
    Retention(PeriodArgs),
    /// Regulars away for twice their usual interval, most overdue first (as of --to,
    /// default today).
    AtRisk(AtRiskArgs),
    /// Each staff member's enrolments, punches, redemptions, voids and overrides (default:
    /// this month so far).
    Staff(PeriodArgs),
    /// Complaints logged, open, overdue, hours to put them right, members' answers at their
    /// next visit (default: this month so far).
    Complaints(DaysArgs),
    /// Surveys answered: NPS month by month, what matters most against how happy members are
    /// with it, and their comments (default: the last twelve months).
    Surveys(DaysArgs),
}

/// A period without a CSV form (a handful of figures).
#[derive(clap::Args)]
pub struct DaysArgs {
    /// The first day (YYYY-MM-DD), included.
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// The last day (YYYY-MM-DD), included; default today.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
}

#[derive(clap::Args)]
pub struct PeriodArgs {
    /// The first day (YYYY-MM-DD), included.
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// The last day (YYYY-MM-DD), included; default today.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// CSV for a spreadsheet instead of text.
    #[arg(long)]
    csv: bool,
}

#[derive(clap::Args)]
pub struct AtRiskArgs {
    /// The day to look from (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// At most this many members.
    #[arg(long)]
    limit: Option<u32>,
    /// CSV for a spreadsheet instead of text.
    #[arg(long)]
    csv: bool,
}

pub async fn run(command: Command, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let shop = cx.store.require_shop().await?;
    let style = CsvStyle::for_language(&shop.language);
    let today = ReportClock::of(cx.store).await?.today(Utc::now());
    let period = |args: &PeriodArgs, default: fn(NaiveDate) -> Period| -> Result<Period> {
        let to = args.to.unwrap_or(today);
        match args.from {
            Some(from) => Period::new(from, to),
            None => Ok(default(to)),
        }
    };
    match command {
        Command::Summary(args) => {
            let report = cx
                .store
                .summary_report(&actor, period(&args, Period::month_to)?)
                .await?;
            answer(cx, args.csv, &SummaryOutput(report), |r| r.0.to_csv(style))
        }
        Command::Retention(args) => {
            let report = cx
                .store
                .retention_report(&actor, period(&args, Period::twelve_months_to)?)
                .await?;
            answer(cx, args.csv, &RetentionOutput(report), |r| {
                r.0.to_csv(style)
            })
        }
        Command::AtRisk(args) => {
            let as_of = args.to.unwrap_or(today);
            let report = cx.store.at_risk_report(&actor, as_of, args.limit).await?;
            answer(cx, args.csv, &AtRiskOutput(report), |r| r.0.to_csv(style))
        }
        Command::Staff(args) => {
            let report = cx
                .store
                .staff_report(&actor, period(&args, Period::month_to)?)
                .await?;
            answer(cx, args.csv, &StaffOutput(report), |r| r.0.to_csv(style))
        }
        Command::Complaints(args) => {
            let to = args.to.unwrap_or(today);
            let days = match args.from {
                Some(from) => Period::new(from, to)?,
                None => Period::month_to(to),
            };
            let figures = cx.store.complaint_figures(&actor, days).await?;
            cx.out.print(&ComplaintFiguresOutput(figures));
            Ok(())
        }
        Command::Surveys(args) => {
            let to = args.to.unwrap_or(today);
            let days = match args.from {
                Some(from) => Period::new(from, to)?,
                None => Period::twelve_months_to(to),
            };
            let figures = cx.store.survey_figures(&actor, days).await?;
            cx.out.print(&SurveyFiguresOutput(figures));
            Ok(())
        }
    }
}

/// Prints the report as asked: CSV bytes, or the usual text or JSON.
fn answer<R: Render>(
    cx: &Context<'_>,
    csv: bool,
    report: &R,
    to_csv: impl Fn(&R) -> Result<Vec<u8>>,
) -> Result<()> {
    if csv {
        let bytes = to_csv(report)?;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| CoreError::internal("report csv", e))?;
    } else {
        cx.out.print(report);
    }
    Ok(())
}

fn period_line(t: &Text, title: &str, period: &Period, zone: &str) -> String {
    t.t(
        title,
        &[
            ("from", t.date(period.from)),
            ("to", t.date(period.to)),
            ("zone", zone.to_string()),
        ],
    )
}

fn bars(t: &Text, points: &[Point]) -> Vec<String> {
    let widest = points.iter().map(|p| p.value).max().unwrap_or(0).max(1);
    points
        .iter()
        .map(|p| {
            let bar = "█".repeat((p.value * 30 / widest) as usize);
            format!("  {:>13}  {:>6}  {bar}", t.date(p.start), p.value)
        })
        .collect()
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct SummaryOutput(pub Summary);

impl Render for SummaryOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let s = &self.0;
        let mut lines = vec![
            period_line(t, "cli-report-summary-title", &s.period, &s.time_zone),
            t.t(
                "cli-report-returning",
                &[("count", s.returning_members.to_string())],
            ),
            t.t(
                "cli-report-rewards-given",
                &[("count", s.rewards_given.to_string())],
            ),
            t.t(
                "cli-report-new-members",
                &[("count", s.new_members.to_string())],
            ),
            t.t("cli-report-visits-per-week", &[]),
        ];
        lines.extend(bars(t, &s.visits_per_week));
        for program in &s.programs {
            lines.push(t.t(
                "cli-report-program",
                &[
                    ("program", shown(&program.name)),
                    ("kind", format!("{:?}", program.kind).to_lowercase()),
                    ("punches", program.punches.to_string()),
                    (
                        "earned",
                        program.rewards_earned.map_or("-".into(), |n| n.to_string()),
                    ),
                    ("redeemed", program.rewards_redeemed.to_string()),
                ],
            ));
        }
        lines
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct RetentionOutput(pub Retention);

impl Render for RetentionOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let r = &self.0;
        let mut lines = vec![period_line(
            t,
            "cli-report-retention-title",
            &r.period,
            &r.time_zone,
        )];
        for cohort in &r.cohorts {
            let share = |i: usize| {
                let window = &cohort.windows[i];
                let percent = window
                    .share
                    .map_or("-".to_string(), |s| format!("{:.0} %", s * 100.0));
                if window.complete {
                    percent
                } else {
                    format!("{percent}…")
                }
            };
            lines.push(t.t(
                "cli-report-cohort",
                &[
                    ("month", cohort.month.format("%Y-%m").to_string()),
                    ("count", cohort.enrolled.to_string()),
                    ("d30", share(0)),
                    ("d60", share(1)),
                    ("d90", share(2)),
                ],
            ));
        }
        lines
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct AtRiskOutput(pub AtRisk);

impl Render for AtRiskOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let r = &self.0;
        let mut lines = vec![t.t(
            "cli-report-at-risk-title",
            &[
                ("date", t.date(r.as_of)),
                ("zone", r.time_zone.clone()),
                ("count", r.total.to_string()),
            ],
        )];
        for m in &r.members {
            lines.push(t.t(
                "cli-report-at-risk-member",
                &[
                    ("code", display_code(&m.code)),
                    ("name", shown(&m.name)),
                    ("visits", m.visits.to_string()),
                    ("usual", format!("{:.0}", m.usual_interval_days)),
                    ("last", t.date(m.last_visit)),
                    ("away", m.days_away.to_string()),
                ],
            ));
        }
        lines
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct StaffOutput(pub StaffReport);

impl Render for StaffOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let r = &self.0;
        let mut lines = vec![period_line(
            t,
            "cli-report-staff-title",
            &r.period,
            &r.time_zone,
        )];
        for s in &r.staff {
            let name = s
                .name
                .as_deref()
                .map_or_else(|| s.staff_id.to_string(), shown);
            lines.push(t.t(
                "cli-report-staff-member",
                &[
                    ("name", name),
                    ("enrolments", s.enrolments.to_string()),
                    ("punches", s.punches.to_string()),
                    ("redemptions", s.redemptions.to_string()),
                    ("voids", s.voids.to_string()),
                    ("overrides", s.overrides.to_string()),
                    ("cancelled", s.cancelled.to_string()),
                    ("complaints_logged", s.complaints_logged.to_string()),
                    ("complaints_resolved", s.complaints_resolved.to_string()),
                    ("feedback", s.feedback_collected.to_string()),
                ],
            ));
        }
        lines
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct SurveyFiguresOutput(pub tessera_core::care::surveys::SurveyFigures);

impl Render for SurveyFiguresOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let f = &self.0;
        let nps = f.nps.map_or("–".to_string(), |n| n.to_string());
        let mut lines = vec![t.t(
            "cli-report-surveys",
            &[
                ("from", t.date(f.from)),
                ("to", t.date(f.to)),
                ("asked", f.asked.to_string()),
                ("answered", f.answered.to_string()),
                ("nps", nps),
            ],
        )];
        for m in &f.months {
            lines.push(format!(
                "  {}  NPS {:>4}  ({})",
                m.month.format("%Y-%m"),
                m.nps,
                m.answers
            ));
        }
        for topic in f.topics.iter().filter(|t| t.picked > 0) {
            let satisfaction = topic
                .satisfaction
                .map_or("–".to_string(), |s| format!("{s:.1}"));
            lines.push(t.t(
                if topic.act_here {
                    "cli-report-surveys-topic-act"
                } else {
                    "cli-report-surveys-topic"
                },
                &[
                    (
                        "topic",
                        t.t(&format!("topic-{}", topic.topic.as_str()), &[]),
                    ),
                    ("share", format!("{:.0}", topic.importance * 100.0)),
                    ("satisfaction", satisfaction),
                ],
            ));
        }
        for c in &f.comments {
            lines.push(format!("  {}  {}", c.nps, shown(&c.comment)));
        }
        lines
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct ComplaintFiguresOutput(pub tessera_core::care::complaints::ComplaintFigures);

impl Render for ComplaintFiguresOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let f = &self.0;
        let hours = |h: Option<f64>| h.map_or("–".to_string(), |h| format!("{h:.1}"));
        vec![
            t.t(
                "cli-report-complaints",
                &[
                    ("from", t.date(f.from)),
                    ("to", t.date(f.to)),
                    ("logged", f.logged.to_string()),
                    ("resolved", f.resolved.to_string()),
                    ("open", f.open.to_string()),
                    ("overdue", f.overdue.to_string()),
                ],
            ),
            t.t(
                "cli-report-complaints-hours",
                &[
                    ("median", hours(f.median_hours_to_resolve)),
                    ("max", hours(f.max_hours_to_resolve)),
                    ("yes", f.put_right.to_string()),
                    ("no", f.not_put_right.to_string()),
                ],
            ),
        ]
    }
}
