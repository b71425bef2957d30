//! The survey page (`/s/{token}`): three questions at most, in the member's language, with what
//! the shop knows already said rather than asked, and what the shop changed after earlier
//! feedback ("you said, we did"). Plain HTML, no scripts: a form posted back to the same link.
//! Opening the link (GET) writes nothing; the answers are kept once.

use std::collections::BTreeMap;
use std::str::FromStr;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_core::care::surveys::{SurveyAnswers, SurveyPage, Topic};
use tessera_core::i18n::Messages;
use tessera_core::CoreError;

use crate::{escape, not_ready, page, refused, say, StoreSource};

/// The form as posted: every field text, an empty one left out.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Posted {
    nps: Option<String>,
    topic: Option<String>,
    topic_score: Option<String>,
    comment: Option<String>,
}

/// A field as posted, trimmed; an empty one is not given.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Posted {
    /// The answers, or the field that is not one of the form's own choices.
    fn answers(&self) -> Result<SurveyAnswers, CoreError> {
        let number = |v: &Option<String>, field| {
            given(v)
                .map(|v| v.parse::<i64>())
                .transpose()
                .map_err(|_| CoreError::InvalidSurveyAnswer { field })
        };
        Ok(SurveyAnswers {
            nps: number(&self.nps, "nps")?,
            topic: given(&self.topic)
                .map(Topic::from_str)
                .transpose()
                .map_err(|_| CoreError::InvalidSurveyAnswer { field: "topic" })?,
            topic_score: number(&self.topic_score, "topic_score")?,
            comment: given(&self.comment).map(str::to_string),
        })
    }
}

pub(crate) async fn ask(State(source): State<StoreSource>, Path(token): Path<String>) -> Response {
    let Some(store) = source() else {
        return not_ready();
    };
    match store.survey_page(&token).await {
        Ok(survey) if survey.answered => thanks(&survey),
        Ok(survey) => form(&survey, None, StatusCode::OK),
        Err(e) => refused(&store, e).await,
    }
}

pub(crate) async fn answer(
    State(source): State<StoreSource>,
    Path(token): Path<String>,
    Form(posted): Form<Posted>,
) -> Response {
    let Some(store) = source() else {
        return not_ready();
    };
    let answers = match posted.answers() {
        Ok(answers) => answers,
        Err(e) => {
            return match store.survey_page(&token).await {
                Ok(survey) => form(&survey, Some(&e), StatusCode::UNPROCESSABLE_ENTITY),
                Err(e) => refused(&store, e).await,
            }
        }
    };
    match store.answer_survey(&token, &answers).await {
        Ok(survey) => thanks(&survey),
        Err(e @ CoreError::InvalidSurveyAnswer { .. }) => match store.survey_page(&token).await {
            Ok(survey) => form(&survey, Some(&e), StatusCode::UNPROCESSABLE_ENTITY),
            Err(e) => refused(&store, e).await,
        },
        Err(e) => refused(&store, e).await,
    }
}

fn args(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn text(m: &Messages, key: &str) -> String {
    escape(&m.format(key, &Default::default()))
}

/// A row of big buttons, one per choice, named `name`.
fn choices(name: &str, values: &[(String, String)], ends: Option<(String, String)>) -> String {
    let mut html = String::from("<div class=\"choices\">");
    for (value, label) in values {
        let id = format!("{name}-{value}");
        html.push_str(&format!(
            "<input type=\"radio\" name=\"{name}\" id=\"{id}\" value=\"{value}\">\
             <label for=\"{id}\">{label}</label>"
        ));
    }
    html.push_str("</div>");
    if let Some((low, high)) = ends {
        html.push_str(&format!(
            "<div class=\"ends\"><span>{low}</span><span>{high}</span></div>"
        ));
    }
    html
}

fn form(survey: &SurveyPage, error: Option<&CoreError>, status: StatusCode) -> Response {
    let m = Messages::new(&survey.language);
    let mut body = String::new();
    if let Some(visits) = survey.visits.filter(|v| *v > 0) {
        let known = m.format(
            "page-survey-visits",
            &args(&[
                ("visits", visits.to_string()),
                ("shop", survey.shop.clone()),
            ]),
        );
        body.push_str(&format!("<p data-known=\"visits\">{}", escape(&known)));
        if let Some(program) = &survey.favourite {
            let card = m.format(
                "page-survey-favourite",
                &args(&[("program", program.clone())]),
            );
            body.push_str(&format!(" {}", escape(&card)));
        }
        body.push_str("</p>");
    }
    if let Some(error) = error {
        let said = error.body();
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            escape(&m.format(&said.key, &said.args))
        ));
    }
    let scores: Vec<(String, String)> = (0..=10).map(|n| (n.to_string(), n.to_string())).collect();
    let topics: Vec<(String, String)> = Topic::ALL
        .iter()
        .map(|t| {
            let key = format!("topic-{}", t.as_str());
            (t.as_str().to_string(), text(&m, &key))
        })
        .collect();
    let ratings: Vec<(String, String)> = (1..=5).map(|n| (n.to_string(), n.to_string())).collect();
    body.push_str(&format!(
        "<form method=\"post\">\
         <fieldset><legend>{nps}</legend>{nps_choices}</fieldset>\
         <fieldset><legend>{topic}</legend>{topic_choices}</fieldset>\
         <fieldset><legend>{score}</legend>{score_choices}</fieldset>\
         <fieldset><legend><label for=\"comment\">{comment}</label></legend>\
         <textarea id=\"comment\" name=\"comment\" maxlength=\"1000\"></textarea></fieldset>\
         <button type=\"submit\">{send}</button></form>",
        nps = say(&m, "page-survey-nps", &survey.shop),
        nps_choices = choices(
            "nps",
            &scores,
            Some((
                text(&m, "page-survey-nps-low"),
                text(&m, "page-survey-nps-high")
            ))
        ),
        topic = text(&m, "page-survey-topic"),
        topic_choices = choices("topic", &topics, None),
        score = text(&m, "page-survey-topic-score"),
        score_choices = choices(
            "topic_score",
            &ratings,
            Some((
                text(&m, "page-survey-score-low"),
                text(&m, "page-survey-score-high")
            ))
        ),
        comment = text(&m, "page-survey-comment"),
        send = text(&m, "page-survey-send"),
    ));
    body.push_str(&we_did(&m, survey));
    page(status, &m, &survey.shop, &body)
}

fn thanks(survey: &SurveyPage) -> Response {
    let m = Messages::new(&survey.language);
    let done = say(&m, "page-survey-done", &survey.shop);
    let body = format!("<p data-done=\"yes\">{done}</p>{}", we_did(&m, survey));
    page(StatusCode::OK, &m, &survey.shop, &body)
}

/// What the shop changed after feedback, in the manager's words (not translated).
fn we_did(m: &Messages, survey: &SurveyPage) -> String {
    if survey.we_did.is_empty() {
        return String::new();
    }
    let items: String = survey
        .we_did
        .iter()
        .map(|w| format!("<li>{}</li>", escape(&w.text)))
        .collect();
    format!(
        "<section class=\"we-did\"><h2>{}</h2><ul>{items}</ul></section>",
        text(m, "page-survey-we-did")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(nps: &str, topic: &str, score: &str) -> Posted {
        let some = |v: &str| Some(v.to_string());
        Posted {
            nps: some(nps),
            topic: some(topic),
            topic_score: some(score),
            comment: some("  "),
        }
    }

    #[test]
    fn a_posted_form_reads_as_answers_and_a_forged_choice_names_its_field() {
        let answers = posted("9", "speed", "2").answers().unwrap();
        assert_eq!(answers.nps, Some(9));
        assert_eq!(answers.topic, Some(Topic::Speed));
        assert_eq!(answers.topic_score, Some(2));
        assert_eq!(answers.comment, None);
        let empty = posted("7", "", "").answers().unwrap();
        assert_eq!((empty.topic, empty.topic_score), (None, None));
        let field = |p: Posted| match p.answers() {
            Err(CoreError::InvalidSurveyAnswer { field }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(posted("ten", "", "")), "nps");
        assert_eq!(field(posted("9", "<script>", "")), "topic");
        assert_eq!(field(posted("9", "price", "x")), "topic_score");
    }
}
