//! Reports as CSV a spreadsheet opens, as the members' export writes them: a BOM, stable
//! column names (scripts read them), ISO dates, and the shop's way with numbers (a semicolon
//! and a decimal comma, unless the shop speaks English). A report of several tables writes
//! them one after the other, a blank line between.

use super::at_risk::AtRisk;
use super::retention::Retention;
use super::staff::StaffReport;
use super::summary::Summary;
use crate::error::{CoreError, Result};

/// The numbers' form: what Excel expects in the shop's language.
#[derive(Clone, Copy, Debug)]
pub struct CsvStyle {
    delimiter: u8,
    decimal_comma: bool,
}

impl CsvStyle {
    pub fn for_language(language: &str) -> CsvStyle {
        let english = language == "en";
        CsvStyle {
            delimiter: if english { b',' } else { b';' },
            decimal_comma: !english,
        }
    }

    fn decimal(&self, value: f64, places: usize) -> String {
        let text = format!("{value:.places$}");
        if self.decimal_comma {
            text.replace('.', ",")
        } else {
            text
        }
    }
}

pub(crate) struct Table {
    pub(crate) header: Vec<&'static str>,
    pub(crate) rows: Vec<Vec<String>>,
}

pub(crate) fn write(tables: Vec<Table>, style: CsvStyle) -> Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let io = |e: csv::Error| CoreError::internal("report csv", e);
    for (i, table) in tables.into_iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let mut writer = csv::WriterBuilder::new()
            .delimiter(style.delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer.write_record(&table.header).map_err(io)?;
        for row in &table.rows {
            writer.write_record(row).map_err(io)?;
        }
        writer
            .flush()
            .map_err(|e| CoreError::internal("report csv", e))?;
    }
    Ok(out)
}

impl Summary {
    pub fn to_csv(&self, style: CsvStyle) -> Result<Vec<u8>> {
        let by_bucket = self
            .returning_series
            .iter()
            .zip(&self.rewards_series)
            .zip(&self.new_members_series)
            .map(|((back, rewards), new)| {
                [back.start.to_string(), back.value.to_string()]
                    .into_iter()
                    .chain([rewards.value.to_string(), new.value.to_string()])
                    .collect()
            })
            .collect();
        let weeks = self
            .visits_per_week
            .iter()
            .map(|p| vec![p.start.to_string(), p.value.to_string()])
            .collect();
        let programs = self
            .programs
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    format!("{:?}", p.kind).to_lowercase(),
                    p.punches.to_string(),
                    p.rewards_earned.map(|n| n.to_string()).unwrap_or_default(),
                    p.rewards_redeemed.to_string(),
                ]
            })
            .collect();
        let header = [
            "from",
            "to",
            "returning_members",
            "rewards_given",
            "new_members",
        ];
        let totals = vec![
            self.period.from.to_string(),
            self.period.to.to_string(),
            self.returning_members.to_string(),
            self.rewards_given.to_string(),
            self.new_members.to_string(),
        ];
        write(
            vec![
                Table {
                    header: header.to_vec(),
                    rows: vec![totals],
                },
                Table {
                    header: vec!["start", "returning_members", "rewards_given", "new_members"],
                    rows: by_bucket,
                },
                Table {
                    header: vec!["week", "visits"],
                    rows: weeks,
                },
                Table {
                    header: vec![
                        "program",
                        "kind",
                        "punches",
                        "rewards_earned",
                        "rewards_redeemed",
                    ],
                    rows: programs,
                },
            ],
            style,
        )
    }
}

impl Retention {
    pub fn to_csv(&self, style: CsvStyle) -> Result<Vec<u8>> {
        let share = |s: Option<f64>| s.map(|s| style.decimal(s * 100.0, 1)).unwrap_or_default();
        let rows = self
            .cohorts
            .iter()
            .map(|c| {
                let mut row = vec![c.month.format("%Y-%m").to_string(), c.enrolled.to_string()];
                for window in &c.windows {
                    row.push(window.members.to_string());
                    row.push(share(window.share));
                }
                row
            })
            .collect();
        let header = vec![
            "cohort",
            "enrolled",
            "back_30_days",
            "back_30_days_percent",
            "back_60_days",
            "back_60_days_percent",
            "back_90_days",
            "back_90_days_percent",
        ];
        write(vec![Table { header, rows }], style)
    }
}

impl AtRisk {
    pub fn to_csv(&self, style: CsvStyle) -> Result<Vec<u8>> {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        let rows = self
            .members
            .iter()
            .map(|m| {
                vec![
                    m.code.clone(),
                    m.name.clone(),
                    m.visits.to_string(),
                    style.decimal(m.usual_interval_days, 1),
                    m.last_visit.to_string(),
                    m.days_away.to_string(),
                    yes_no(m.email_consent),
                    yes_no(m.sms_consent),
                ]
            })
            .collect();
        let header = vec![
            "code",
            "name",
            "visits",
            "usual_interval_days",
            "last_visit",
            "days_away",
            "email_consent",
            "sms_consent",
        ];
        write(vec![Table { header, rows }], style)
    }
}

impl StaffReport {
    pub fn to_csv(&self, style: CsvStyle) -> Result<Vec<u8>> {
        let rows = self
            .staff
            .iter()
            .map(|s| {
                let name = s.name.clone().unwrap_or_else(|| s.staff_id.to_string());
                let figures = [
                    s.enrolments,
                    s.punches,
                    s.redemptions,
                    s.voids,
                    s.overrides,
                    s.cancelled,
                    s.complaints_logged,
                    s.complaints_resolved,
                    s.feedback_collected,
                ];
                let mut row = vec![name];
                row.extend(figures.iter().map(i64::to_string));
                row
            })
            .collect();
        let header = vec![
            "staff",
            "enrolments",
            "punches",
            "redemptions",
            "voids",
            "overrides",
            "cancelled",
            "complaints_logged",
            "complaints_resolved",
            "feedback_collected",
        ];
        write(vec![Table { header, rows }], style)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::retention::{CameBack, Cohort};
    use crate::reports::Period;

    #[test]
    fn a_french_shop_gets_semicolons_and_decimal_commas() {
        let day = |d: &str| d.parse().unwrap();
        let retention = Retention {
            period: Period::new(day("2026-02-01"), day("2026-02-28")).unwrap(),
            time_zone: "Europe/Paris".into(),
            cohorts: vec![Cohort {
                month: day("2026-02-01"),
                enrolled: 3,
                windows: [(30, 1), (60, 2), (90, 2)]
                    .map(|(days, members)| CameBack {
                        days,
                        members,
                        share: Some(members as f64 / 3.0),
                        complete: true,
                    })
                    .to_vec(),
            }],
        };
        let french = String::from_utf8(retention.to_csv(CsvStyle::for_language("fr")).unwrap());
        let french = french.unwrap();
        assert!(french.starts_with('\u{feff}'));
        assert!(
            french.contains("2026-02;3;1;33,3;2;66,7;2;66,7\r\n"),
            "{french}"
        );
        let english = retention.to_csv(CsvStyle::for_language("en")).unwrap();
        let english = String::from_utf8(english).unwrap();
        assert!(
            english.contains("2026-02,3,1,33.3,2,66.7,2,66.7\r\n"),
            "{english}"
        );
    }
}
