//! Feedback at the counter (docs/decisions/0032-surveys.md): a short survey, three questions at
//! most ("How likely are you to recommend us?" 0–10, "What matters most to you?" with how happy
//! they are with it, 1–5, and a comment if they like), answered on the customer's screen or by
//! a link (a QR on a receipt) that opens a page the till serves on the shop's network.
//!
//! Only members on the panel (a consent of its own) are asked, and each is left alone for the
//! shop's interval after being asked, at whichever till of the chain: a survey is a shared record
//! made when someone is asked. What is known already (their visits, their favourite card) is
//! said on the page, not asked. The report gives the NPS month by month, and for each topic how
//! many say it matters most against how happy they are with it: the gap is where to act.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::codes::survey_token;
use crate::codes::token::TokenError;
use crate::error::{CoreError, Result};
use crate::ids::{MemberId, StaffId, SurveyId, WeDidId};
use crate::input::validate;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::reports::Period;
use crate::store::Store;

/// Days a member is left alone after being asked, unless the shop sets its own.
pub const DEFAULT_INTERVAL_DAYS: i64 = 90;
/// The longest interval a shop may set (ten years: "ask once").
pub const MAX_INTERVAL_DAYS: i64 = 3650;
/// Days a survey's link can be answered in.
pub const ANSWER_DAYS: i64 = 30;
/// The longest comment kept.
pub const COMMENT_MAX: usize = 1_000;
/// How many "you said, we did" entries the survey page shows, newest first.
pub const WE_DID_SHOWN: i64 = 3;

/// What matters most to a customer: the pick list of the second question.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Topic {
    /// What is sold: taste, freshness, workmanship.
    Quality,
    /// How they are served: friendly, helpful.
    Service,
    /// Not waiting.
    Speed,
    /// Value for money.
    Price,
    Cleanliness,
    /// The range on offer.
    Choice,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::Quality,
        Topic::Service,
        Topic::Speed,
        Topic::Price,
        Topic::Cleanliness,
        Topic::Choice,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Where the survey is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum SurveyWay {
    /// On the customer-facing window, at the counter.
    Screen,
    /// By a link: a QR on a receipt or a voucher, opened on their phone.
    Link,
}

/// A survey made: the token its page is opened with, and the whole link when the shop's pages
/// address is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SurveyAsked {
    pub id: SurveyId,
    pub token: String,
    pub link: Option<String>,
}

/// What the customer answered. Only the first question must be answered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SurveyAnswers {
    pub nps: Option<i64>,
    pub topic: Option<Topic>,
    pub topic_score: Option<i64>,
    pub comment: Option<String>,
}

/// What a manager said the shop changed after feedback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct WeDid {
    pub id: WeDidId,
    pub text: String,
    pub written_at: DateTime<Utc>,
    pub written_by_name: Option<String>,
}

/// What the survey page shows: in whose language, what is known already, what changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyPage {
    pub id: SurveyId,
    pub language: String,
    pub shop: String,
    /// The member's visits (days they came), when the survey is a member's.
    pub visits: Option<i64>,
    /// The program they use most, by name.
    pub favourite: Option<String>,
    pub answered: bool,
    pub we_did: Vec<WeDid>,
}

/// One month's Net Promoter Score.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct NpsMonth {
    /// Its first day, in the shop's time zone.
    pub month: NaiveDate,
    pub answers: i64,
    /// Promoters' share minus detractors', in points from -100 to 100.
    pub nps: i64,
}

/// One topic: how many said it matters most, and how happy those are with it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct TopicFigures {
    pub topic: Topic,
    pub picked: i64,
    /// Share of the answers that picked a topic, 0 to 1.
    pub importance: f64,
    /// Mean of their 1–5 ratings; none without a rating.
    pub satisfaction: Option<f64>,
    /// Matters more than most, and pleases less than the average: where to act first.
    pub act_here: bool,
}

/// The surveys of a period.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SurveyFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Surveys made in the period, and those of them answered.
    pub asked: i64,
    pub answered: i64,
    /// 9 or 10; 7 or 8; 0 to 6.
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    pub nps: Option<i64>,
    pub months: Vec<NpsMonth>,
    /// Every topic, the most picked first.
    pub topics: Vec<TopicFigures>,
    /// The period's comments, newest first (at most 50), with the topic they went with.
    pub comments: Vec<SurveyComment>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SurveyComment {
    pub answered_at: DateTime<Utc>,
    pub nps: i64,
    pub topic: Option<Topic>,
    pub comment: String,
}

/// Promoters' share minus detractors', rounded, over answers 0–10; none without answers.
pub fn net_promoter_score(scores: impl IntoIterator<Item = i64>) -> Option<i64> {
    let (mut count, mut net) = (0i64, 0i64);
    for score in scores {
        count += 1;
        net += match score {
            9.. => 1,
            ..=6 => -1,
            _ => 0,
        };
    }
    (count > 0).then(|| (net as f64 * 100.0 / count as f64).round() as i64)
}

/// Answers as kept: checked, the comment trimmed (none if blank).
#[derive(Debug)]
struct Kept {
    nps: i64,
    topic: Option<Topic>,
    score: Option<i64>,
    comment: Option<String>,
}

/// The answers checked: the score is 0–10, a topic's rating 1–5 and only with a topic.
fn checked(answers: &SurveyAnswers) -> Result<Kept> {
    let nps = answers
        .nps
        .filter(|n| (0..=10).contains(n))
        .ok_or(CoreError::InvalidSurveyAnswer { field: "nps" })?;
    let score = match (answers.topic, answers.topic_score) {
        (Some(_), Some(s)) if (1..=5).contains(&s) => Some(s),
        (Some(_), None) => None,
        _ if answers.topic_score.is_none() => None,
        _ => {
            return Err(CoreError::InvalidSurveyAnswer {
                field: "topic_score",
            })
        }
    };
    let comment = match answers.comment.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(validate::paragraph("comment", text, COMMENT_MAX)?),
    };
    Ok(Kept {
        nps,
        topic: answers.topic,
        score,
        comment,
    })
}

/// A "you said, we did" entry as the screens show it, with who wrote it.
const WE_DID_SELECT: &str = "SELECT w.id, w.text, w.written_at, s.name AS written_by_name
     FROM we_did w LEFT JOIN staff s ON s.id = w.written_by";

/// The rows of a member and of those merged into them, for `IN (…)` with `?1` the member.
const MEMBER_AND_ALIASES: &str =
    "(SELECT ?1 UNION ALL SELECT alias_id FROM member_alias WHERE member_id = ?1)";

#[derive(sqlx::FromRow)]
struct SurveyRow {
    member_id: Option<MemberId>,
    asked_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Days this shop leaves a member alone after asking them.
    async fn survey_interval(&self) -> Result<Duration> {
        let days: Option<i64> = sqlx::query_scalar(
            "SELECT survey_interval_days FROM shop WHERE id = (SELECT shop_id FROM device)",
        )
        .fetch_optional(self.pool())
        .await?
        .flatten();
        Ok(Duration::days(days.unwrap_or(DEFAULT_INTERVAL_DAYS)))
    }

    /// Why this member may not be asked now: not on the panel (never asked counts as no),
    /// erased, or asked within the interval at any till of the chain.
    async fn check_survey_due(&self, member_id: MemberId) -> Result<()> {
        // Asked after each scan: the member's row only, not their whole history.
        let private = self.private_of(member_id).await?;
        if private.erased_at.is_some()
            || !private
                .consent
                .consent()
                .granted(crate::people::member_data::Channel::Panel)
        {
            return Err(CoreError::NotOnPanel);
        }
        let last: Option<DateTime<Utc>> = sqlx::query_scalar(&format!(
            "SELECT MAX(asked_at) FROM survey WHERE member_id IN {MEMBER_AND_ALIASES}"
        ))
        .bind(member_id)
        .fetch_one(self.pool())
        .await?;
        if let Some(last) = last {
            let again = last + self.survey_interval().await?;
            if again > Utc::now() {
                let shop = self.require_shop().await?;
                return Err(CoreError::SurveyAskedRecently {
                    date: shop.today(again).to_string(),
                });
            }
        }
        Ok(())
    }

    /// Whether the till may offer this member a survey now (see [`Store::ask_survey`]).
    pub async fn survey_due(&self, member_id: MemberId) -> Result<bool> {
        let member_id = crate::counter::merge::canonical(self.pool(), member_id).await?;
        match self.check_survey_due(member_id).await {
            Ok(()) => Ok(true),
            Err(CoreError::NotOnPanel | CoreError::SurveyAskedRecently { .. }) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Any staff member: asks a member (on the panel, not asked lately) or, without a member,
    /// whoever gets the link, for their opinion. The survey is made now, so the interval holds
    /// from now across the chain even if they never answer.
    pub async fn ask_survey(
        &self,
        actor: &Actor,
        member_id: Option<MemberId>,
        way: SurveyWay,
        link_base: Option<&str>,
    ) -> Result<SurveyAsked> {
        actor.require(Permission::AskFeedback)?;
        let link_base = link_base.map(super::campaigns::link_base).transpose()?;
        let member_id = match member_id {
            Some(id) => {
                let id = crate::counter::merge::canonical(self.pool(), id).await?;
                self.check_survey_due(id).await?;
                Some(id)
            }
            None => None,
        };
        let shop = self.require_shop().await?;
        let key = self.signing_key().await?;
        let id = SurveyId::new();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO survey (id, shop_id, member_id, asked_by, asked_at, way)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(shop.id)
        .bind(member_id)
        .bind(actor.staff_id)
        .bind(Utc::now())
        .bind(way)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        let token = key.issue_survey(id);
        Ok(SurveyAsked {
            id,
            link: link_base.map(|base| format!("{base}/s/{token}")),
            token,
        })
    }

    /// Any staff member: a slip to hand over with a receipt (58 or 80 mm, or A6), whose QR
    /// opens a new survey on the shop's pages (`link_base`), in the member's language or the
    /// shop's. Without a member, it is for whoever gets it.
    pub async fn survey_slip(
        &self,
        actor: &Actor,
        member_id: Option<MemberId>,
        link_base: &str,
        format: crate::cards::voucher::VoucherFormat,
    ) -> Result<(SurveyAsked, Vec<u8>)> {
        let asked = self
            .ask_survey(actor, member_id, SurveyWay::Link, Some(link_base))
            .await?;
        let link = asked
            .link
            .clone()
            .ok_or_else(|| CoreError::internal("survey slip", "a link base gave no link"))?;
        let shop = self.require_shop().await?;
        let language = match member_id {
            Some(id) => {
                let id = crate::counter::merge::canonical(self.pool(), id).await?;
                self.member(id).await?.language
            }
            None => shop.language.clone(),
        };
        let until = shop.today(Utc::now()) + Duration::days(ANSWER_DAYS);
        // No await from here: a Fluent bundle is not `Send`.
        let m = crate::i18n::Messages::new(&language);
        let say = |key: &str, args: &[(&str, String)]| {
            let args = args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            m.format(key, &args)
        };
        let face = crate::cards::voucher::VoucherFace {
            headline: say("slip-headline", &[]),
            offer: say("slip-offer", &[]),
            member: None,
            until: say("slip-until", &[("date", m.date(until))]),
            only_here: None,
            fine_print: say("slip-fine-print", &[("link", link.clone())]),
            token: link,
            shop: shop.name,
        };
        let pdf = crate::cards::voucher::voucher_pdf(&face, format)?;
        Ok((asked, pdf))
    }

    /// The survey a link names, for its page; nothing is written. Refused if the link is not
    /// the chain's, too old, or its member was erased.
    pub async fn survey_page(&self, token: &str) -> Result<SurveyPage> {
        let (id, row) = self.survey_of(token).await?;
        let shop = self.require_shop().await?;
        let mut page = SurveyPage {
            id,
            language: shop.language.clone(),
            shop: shop.name,
            visits: None,
            favourite: None,
            answered: row.answered_at.is_some(),
            we_did: self.we_did_list(WE_DID_SHOWN).await?,
        };
        if let Some(member_id) = row.member_id {
            let member_id = crate::counter::merge::canonical(self.pool(), member_id).await?;
            if self.private_of(member_id).await?.erased_at.is_some() {
                return Err(CoreError::SurveyLinkInvalid);
            }
            page.language = self.member(member_id).await?.language;
            let (visits, favourite) = self.known_facts(member_id).await?;
            page.visits = Some(visits);
            page.favourite = favourite;
        }
        if !page.answered && row.asked_at + Duration::days(ANSWER_DAYS) < Utc::now() {
            return Err(CoreError::SurveyExpired);
        }
        Ok(page)
    }

    /// The customer's answers, kept once. No sign-in: the link's MAC is the proof.
    pub async fn answer_survey(&self, token: &str, answers: &SurveyAnswers) -> Result<SurveyPage> {
        let page = self.survey_page(token).await?;
        if page.answered {
            return Err(CoreError::SurveyAnswered);
        }
        let kept = checked(answers)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE survey SET answered_at = ?, nps = ?, topic = ?, topic_score = ?, comment = ?
             WHERE id = ? AND answered_at IS NULL",
        )
        .bind(Utc::now())
        .bind(kept.nps)
        .bind(kept.topic)
        .bind(kept.score)
        .bind(&kept.comment)
        .bind(page.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(CoreError::SurveyAnswered);
        }
        self.commit(tx).await?;
        Ok(SurveyPage {
            answered: true,
            ..page
        })
    }

    async fn survey_of(&self, token: &str) -> Result<(SurveyId, SurveyRow)> {
        let keys = self.chain_keys().await?;
        let id = survey_token::verify(token, &keys).map_err(|e| match e {
            TokenError::Truncated | TokenError::UnknownKey | TokenError::Forged => {
                CoreError::SurveyLinkInvalid
            }
        })?;
        // A link made at another till, whose survey has not arrived here yet, is not known.
        let row: SurveyRow =
            sqlx::query_as("SELECT member_id, asked_at, answered_at FROM survey WHERE id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .ok_or(CoreError::SurveyLinkInvalid)?;
        Ok((id, row))
    }

    /// What the ledger says already: the days the member came, and the program they use most.
    async fn known_facts(&self, member_id: MemberId) -> Result<(i64, Option<String>)> {
        self.report_calendar().await?;
        let mine = format!("(SELECT n FROM short_id WHERE id IN {MEMBER_AND_ALIASES})");
        let visits: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(DISTINCT day) FROM report_member_day
             WHERE member IN {mine} AND visit_slots > 0"
        ))
        .bind(member_id)
        .fetch_one(self.pool())
        .await?;
        let favourite: Option<String> = sqlx::query_scalar(&format!(
            "SELECT p.name FROM report_activity a
             JOIN short_id s ON s.n = a.program JOIN program p ON p.id = s.id
             WHERE a.member IN {mine} AND a.program != 0
             GROUP BY a.program ORDER BY SUM(a.events) DESC, p.name LIMIT 1"
        ))
        .bind(member_id)
        .fetch_optional(self.pool())
        .await?;
        Ok((visits, favourite))
    }

    /// Managers: NPS month by month, and importance against satisfaction per topic, over the
    /// surveys answered in the period's days (the shop's time zone).
    pub async fn survey_figures(&self, actor: &Actor, period: Period) -> Result<SurveyFigures> {
        actor.require(Permission::ReadReports)?;
        let period = period.checked()?;
        let clock = self.report_calendar().await?;
        let (from, to) = period.instants(&clock);
        let asked: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM survey WHERE asked_at >= ? AND asked_at < ?")
                .bind(from)
                .bind(to)
                .fetch_one(self.pool())
                .await?;
        #[derive(sqlx::FromRow)]
        struct Answer {
            answered_at: DateTime<Utc>,
            nps: i64,
            topic: Option<Topic>,
            topic_score: Option<i64>,
        }
        let answers: Vec<Answer> = sqlx::query_as(
            "SELECT answered_at, nps, topic, topic_score FROM survey
             WHERE answered_at >= ? AND answered_at < ? ORDER BY answered_at",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let comments: Vec<SurveyComment> = sqlx::query_as(
            "SELECT answered_at, nps, topic, comment FROM survey
             WHERE answered_at >= ? AND answered_at < ? AND comment IS NOT NULL AND comment != ''
             ORDER BY answered_at DESC LIMIT 50",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;

        let mut months: Vec<(NaiveDate, Vec<i64>)> = Vec::new();
        for a in &answers {
            let month = clock.today(a.answered_at).with_day(1).expect("a first day");
            match months.last_mut() {
                Some((m, scores)) if *m == month => scores.push(a.nps),
                _ => months.push((month, vec![a.nps])),
            }
        }
        let count = |f: &dyn Fn(i64) -> bool| answers.iter().filter(|a| f(a.nps)).count() as i64;
        Ok(SurveyFigures {
            from: period.from,
            to: period.to,
            asked,
            answered: answers.len() as i64,
            promoters: count(&|n| n >= 9),
            passives: count(&|n| (7..=8).contains(&n)),
            detractors: count(&|n| n <= 6),
            nps: net_promoter_score(answers.iter().map(|a| a.nps)),
            months: months
                .into_iter()
                .map(|(month, scores)| NpsMonth {
                    month,
                    answers: scores.len() as i64,
                    nps: net_promoter_score(scores).unwrap_or(0),
                })
                .collect(),
            topics: topic_figures(answers.iter().map(|a| (a.topic, a.topic_score))),
            comments,
        })
    }

    /// Managers: says what the shop changed after feedback; it shows on the survey page.
    pub async fn add_we_did(&self, actor: &Actor, text: &str) -> Result<WeDid> {
        actor.require(Permission::RunCampaigns)?;
        let text = validate::paragraph("we_did", text, COMMENT_MAX)?;
        let shop = self.require_shop().await?;
        let id = WeDidId::new();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO we_did (id, shop_id, text, written_by, written_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(shop.id)
        .bind(&text)
        .bind(actor.staff_id)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(sqlx::query_as(&format!("{WE_DID_SELECT} WHERE w.id = ?"))
            .bind(id)
            .fetch_one(self.pool())
            .await?)
    }

    /// Managers: takes an entry off the survey page (it stays in the record, withdrawn).
    pub async fn withdraw_we_did(&self, actor: &Actor, id: WeDidId) -> Result<()> {
        actor.require(Permission::RunCampaigns)?;
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE we_did SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL")
                .bind(Utc::now())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if done == 0 {
            return Err(CoreError::WeDidNotFound);
        }
        self.commit(tx).await
    }

    /// This shop's "you said, we did" entries standing now, newest first, at most `limit`.
    pub async fn we_did_list(&self, limit: i64) -> Result<Vec<WeDid>> {
        Ok(sqlx::query_as(&format!(
            "{WE_DID_SELECT}
             WHERE w.withdrawn_at IS NULL AND w.shop_id = (SELECT shop_id FROM device)
             ORDER BY w.written_at DESC, w.id DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}

/// Each topic's share of the picks and mean rating; "act here" where a topic matters more than
/// the average topic and pleases less than the average rating (the importance–performance grid).
fn topic_figures(answers: impl Iterator<Item = (Option<Topic>, Option<i64>)>) -> Vec<TopicFigures> {
    let mut picked = [0i64; Topic::ALL.len()];
    let mut ratings: [Vec<i64>; Topic::ALL.len()] = Default::default();
    for (topic, score) in answers {
        let Some(topic) = topic else { continue };
        let i = Topic::ALL.iter().position(|t| *t == topic).expect("listed");
        picked[i] += 1;
        ratings[i].extend(score);
    }
    let total: i64 = picked.iter().sum();
    let all: Vec<i64> = ratings.iter().flatten().copied().collect();
    let mean = |r: &[i64]| (!r.is_empty()).then(|| r.iter().sum::<i64>() as f64 / r.len() as f64);
    let average_rating = mean(&all);
    let average_share = 1.0 / Topic::ALL.len() as f64;
    let mut topics: Vec<TopicFigures> = Topic::ALL
        .iter()
        .enumerate()
        .map(|(i, &topic)| {
            let importance = if total > 0 {
                picked[i] as f64 / total as f64
            } else {
                0.0
            };
            let satisfaction = mean(&ratings[i]);
            TopicFigures {
                topic,
                picked: picked[i],
                importance,
                satisfaction,
                act_here: importance > average_share
                    && matches!((satisfaction, average_rating), (Some(s), Some(a)) if s < a),
            }
        })
        .collect();
    topics.sort_by_key(|t| std::cmp::Reverse(t.picked));
    topics
}

/// Who asked: a staff member's feedback collected, for the staff report.
#[derive(sqlx::FromRow)]
pub(crate) struct Collected {
    pub staff_id: StaffId,
    pub name: Option<String>,
    pub answered: i64,
}

/// Each staff member's surveys answered between two instants (by when they were answered).
pub(crate) async fn collected(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Collected>> {
    Ok(sqlx::query_as(
        "SELECT v.asked_by AS staff_id, s.name, COUNT(*) AS answered
         FROM survey v LEFT JOIN staff s ON s.id = v.asked_by
         WHERE v.answered_at >= ? AND v.answered_at < ?
         GROUP BY v.asked_by",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_net_promoter_score_is_promoters_less_detractors() {
        assert_eq!(net_promoter_score([]), None);
        assert_eq!(net_promoter_score([10, 9, 8, 7, 6, 0]), Some(0));
        assert_eq!(net_promoter_score([10, 10, 10, 5]), Some(50));
        assert_eq!(net_promoter_score([3]), Some(-100));
        assert_eq!(net_promoter_score([9, 8, 8]), Some(33));
    }

    #[test]
    fn answers_out_of_range_are_refused_with_their_field() {
        let answer = |nps, topic, topic_score| SurveyAnswers {
            nps,
            topic,
            topic_score,
            comment: None,
        };
        let field = |a: &SurveyAnswers| match checked(a) {
            Err(CoreError::InvalidSurveyAnswer { field }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(&answer(None, None, None)), "nps");
        assert_eq!(field(&answer(Some(11), None, None)), "nps");
        assert_eq!(field(&answer(Some(-1), None, None)), "nps");
        assert_eq!(
            field(&answer(Some(8), Some(Topic::Price), Some(6))),
            "topic_score"
        );
        assert_eq!(field(&answer(Some(8), None, Some(3))), "topic_score");
        assert!(checked(&answer(Some(0), Some(Topic::Price), Some(1))).is_ok());
        assert!(checked(&answer(Some(10), Some(Topic::Speed), None)).is_ok());
    }

    /// Speed matters to most and pleases least: act there. Quality pleases; choice matters to
    /// few. The grid's lines are the average share and the average rating.
    #[test]
    fn the_topic_that_matters_more_and_pleases_less_is_where_to_act() {
        let answers = [
            (Some(Topic::Speed), Some(2)),
            (Some(Topic::Speed), Some(3)),
            (Some(Topic::Speed), Some(2)),
            (Some(Topic::Quality), Some(5)),
            (Some(Topic::Quality), Some(4)),
            (Some(Topic::Choice), Some(1)),
            (None, None),
        ];
        let figures = topic_figures(answers.into_iter());
        assert_eq!(figures.len(), Topic::ALL.len());
        assert_eq!(figures[0].topic, Topic::Speed);
        assert_eq!(figures[0].picked, 3);
        assert!((figures[0].importance - 0.5).abs() < 1e-9);
        assert_eq!(figures[0].satisfaction, Some(7.0 / 3.0));
        let act: Vec<Topic> = figures
            .iter()
            .filter(|t| t.act_here)
            .map(|t| t.topic)
            .collect();
        assert_eq!(act, vec![Topic::Speed]);
        let service = figures.iter().find(|t| t.topic == Topic::Service).unwrap();
        assert_eq!((service.picked, service.satisfaction), (0, None));
    }
}
