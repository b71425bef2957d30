//! The pages a till serves on the shop's network, for people who are not staff: the page an
//! email's unsubscribe link opens (docs/decisions/0031-panel-and-campaigns.md) and the short
//! survey a receipt's QR or the customer's screen opens (docs/decisions/0032-surveys.md). No
//! internet is needed, and nothing here signs anyone in: a page only does what its signed link
//! names.
//!
//! Each page is plain HTML, in the visitor's language (the member's, from the link), readable on
//! a phone. A link opened (GET) only asks; the button (POST) does it, so a mail app that opens
//! links to check them unsubscribes nobody. The one-click POST of RFC 8058 works the same way.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tessera_core::care::campaigns::UnsubscribeLink;
use tessera_core::i18n::Messages;
use tessera_core::people::member_data::Channel;
use tessera_core::{CoreError, Store};

mod survey;

/// The store the pages read, asked for at each request: the desktop app's store is replaced
/// when a backup is restored, and the pages follow. None: no store open now.
pub type StoreSource = Arc<dyn Fn() -> Option<Store> + Send + Sync>;

/// The routes, over the store `source` gives.
pub fn router(source: StoreSource) -> Router {
    Router::new()
        .route("/u/{token}", get(ask_unsubscribe).post(unsubscribe))
        .route("/s/{token}", get(survey::ask).post(survey::answer))
        .with_state(source)
}

/// Serves the pages on `listener` until the task or the process ends.
pub async fn serve(source: StoreSource, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(source)).await
}

/// The page that says the till has no store open now (a restore under way).
fn not_ready() -> Response {
    let m = Messages::new("en");
    let text = escape(&m.format("page-not-ready", &Default::default()));
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        &m,
        "",
        &format!("<p>{text}</p>"),
    )
}

async fn ask_unsubscribe(State(source): State<StoreSource>, Path(token): Path<String>) -> Response {
    let Some(store) = source() else {
        return not_ready();
    };
    match store.unsubscribe_link(&token).await {
        Ok(link) if link.already_off => done_page(&link),
        Ok(link) => {
            let m = Messages::new(&link.language);
            let question = say(&m, question_key(link.channel), &link.shop);
            let body = format!(
                "<p>{question}</p>\
                 <form method=\"post\"><button type=\"submit\">{}</button></form>",
                escape(&m.format("page-unsubscribe-button", &Default::default()))
            );
            page(StatusCode::OK, &m, &link.shop, &body)
        }
        Err(e) => refused(&store, e).await,
    }
}

async fn unsubscribe(State(source): State<StoreSource>, Path(token): Path<String>) -> Response {
    let Some(store) = source() else {
        return not_ready();
    };
    match store.unsubscribe(&token).await {
        Ok(link) => done_page(&link),
        Err(e) => refused(&store, e).await,
    }
}

fn question_key(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "page-unsubscribe-email",
        Channel::Sms => "page-unsubscribe-sms",
        Channel::Panel => "page-unsubscribe-panel",
    }
}

fn done_page(link: &UnsubscribeLink) -> Response {
    let m = Messages::new(&link.language);
    let done = say(&m, "page-unsubscribe-done", &link.shop);
    page(
        StatusCode::OK,
        &m,
        &link.shop,
        &format!("<p data-done=\"yes\">{done}</p>"),
    )
}

/// A link that is not one of ours, or a store that fails: said in the shop's language.
pub(crate) async fn refused(store: &Store, error: CoreError) -> Response {
    let shop = store.shop().await.ok().flatten();
    let language = shop.as_ref().map_or("en", |s| s.language.as_str());
    let name = shop.as_ref().map_or("", |s| s.name.as_str());
    let m = Messages::new(language);
    let body = error.body();
    let text = m.format(&body.key, &body.args);
    let status = match error {
        CoreError::UnsubscribeLinkInvalid
        | CoreError::SurveyLinkInvalid
        | CoreError::MemberNotFound => StatusCode::NOT_FOUND,
        CoreError::SurveyExpired | CoreError::SurveyAnswered => StatusCode::GONE,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    page(status, &m, name, &format!("<p>{}</p>", escape(&text)))
}

pub(crate) fn say(m: &Messages, key: &str, shop: &str) -> String {
    let args = std::iter::once(("shop".to_string(), shop.to_string())).collect();
    escape(&m.format(key, &args))
}

pub(crate) fn page(status: StatusCode, m: &Messages, shop: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{shop}</title><style>{STYLE}</style></head>\
         <body><main><h1>{shop}</h1>{body}</main></body></html>",
        lang = m.language(),
        shop = escape(shop),
    );
    (status, Html(html)).into_response()
}

/// Big enough for a thumb on a phone; no scripts, no outside resources.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f6f4ef;color:#222}\
main{max-width:32rem;margin:3rem auto;padding:1.5rem;background:#fff;border-radius:12px}\
h1{font-size:1.4rem}p{font-size:1.15rem;line-height:1.5}\
button{font-size:1.2rem;padding:.9rem 1.6rem;border:0;border-radius:8px;background:#8a2d1f;color:#fff}\
fieldset{border:0;padding:0;margin:1.4rem 0}legend{font-size:1.15rem;font-weight:600;margin-bottom:.6rem}\
.choices{display:flex;flex-wrap:wrap;gap:.4rem}.choices input{position:absolute;opacity:0}\
.choices label{min-width:2.6rem;padding:.7rem .8rem;border:2px solid #8a2d1f;border-radius:8px;text-align:center;cursor:pointer}\
.choices input:checked+label{background:#8a2d1f;color:#fff}.choices input:focus-visible+label{outline:3px solid #222}\
.ends{display:flex;justify-content:space-between;font-size:.9rem;color:#555}\
textarea{width:100%;font:inherit;font-size:1.05rem;min-height:5rem;box-sizing:border-box}\
.error{color:#8a2d1f;font-weight:600}.we-did li{margin:.4rem 0}";

/// Text made safe inside HTML.
pub(crate) fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn a_shop_s_words_cannot_become_markup() {
        assert_eq!(
            escape("<b onclick='x'>Café & \"Co\"</b>"),
            "&lt;b onclick=&#39;x&#39;&gt;Café &amp; &quot;Co&quot;&lt;/b&gt;"
        );
    }

    /// While no store is open (a backup being restored), a link gets "not ready", not an error
    /// page of the server's own, and nothing is done.
    #[tokio::test]
    async fn without_a_store_open_a_link_is_told_to_come_back() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(serve(Arc::new(|| None), listener));
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"POST /u/TU1ANY HTTP/1.1\r\nHost: till\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        server.abort();
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("pages are not ready"), "{answer}");
    }
}
