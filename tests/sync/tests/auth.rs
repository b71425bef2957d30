//! Only the chain's own tills get in, and each only in its own name: no token, a wrong one, a
//! revoked one, and a token pushing another till's events are each refused and write nothing.

use serde_json::{json, Value};
use tessera_sync_tests::{Hub, Till};

/// What the hub holds: rows of its logs, and each device's marks.
async fn hub_footprint(hub: &Hub) -> (i64, i64, Value) {
    use sqlx::{ConnectOptions, Connection};
    let path = hub.db_url.trim_start_matches("sqlite://");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM event")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let changes: i64 = sqlx::query_scalar("SELECT count(*) FROM change")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    let marks = hub
        .devices()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["marks"].clone())
        .collect();
    (events, changes, marks)
}

/// A push as a till would send it, of `events`, in the name of `device`.
fn push_body(device: &str, events: Vec<Value>) -> Value {
    json!({ "version": 1, "device": device, "changes": [], "events": events })
}

async fn post(hub: &Hub, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}/{path}", hub.url.trim_end_matches('/'));
    let mut request = client.post(url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn strangers_and_impostors_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(dir.path());
    let (token_a, device_a) = hub.add_device("Café Lumière");
    let (token_b, _) = hub.add_device("Café Lumière");
    let a = Till::new(dir.path(), "a");
    a.set_up("Café Lumière");
    a.add_coffee_program(9);
    let claire = a.enroll("Claire Dubois");
    a.punch(&claire, 1);
    a.join(&hub.url, &token_a);
    let b = Till::new(dir.path(), "b");
    b.join(&hub.url, &token_b);
    // One of A's events as A pushed it, to replay in other names.
    let event: Value = {
        let history = b.run(&["history", &claire]);
        let wire = &history[0];
        json!({
            "id": wire["id"], "device": wire["device_id"], "seq": 99, "shop": wire["shop_id"],
            "staff": wire["staff_id"], "at": wire["at"], "kind": "punch",
            "member": wire["member_id"], "program": wire["program_id"], "amount": 1,
            "voids": null, "reason_code": null, "reason": null
        })
    };
    let before = hub_footprint(&hub).await;

    let body = push_body(&device_a, vec![event.clone()]);
    for (token, code) in [
        (None, "token_missing"),
        (Some("tsh1_not-a-token-of-this-hub"), "token_unknown"),
    ] {
        let (status, answer) = post(&hub, "v1/push", token, &body).await;
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["error"]["code"], code);
    }

    // B's token pushing an event in A's name (A's device, A's event).
    let a_device = event["device"].as_str().unwrap().to_string();
    let (status, answer) = post(
        &hub,
        "v1/push",
        Some(&token_b),
        &push_body(&a_device, vec![event.clone()]),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("not_your_device"))
    );
    // ... or in its own name, carrying A's event.
    let b_device = b.run(&["sync", "status"])["device_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, answer) = post(
        &hub,
        "v1/push",
        Some(&token_b),
        &push_body(&b_device, vec![event.clone()]),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("not_your_device"))
    );
    // A version this hub does not speak.
    let (status, answer) = post(
        &hub,
        "v1/pull",
        Some(&token_b),
        &json!({"version": 2, "marks": [], "limit": 10}),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("protocol_version"))
    );

    // A revoked device is refused, and the till says so and keeps its work.
    let revoked = hub.admin(&["device", "revoke", &device_a]);
    assert!(revoked.status.success(), "{revoked:?}");
    a.punch(&claire, 1);
    assert_eq!(a.refused(&["sync"]), "hub_token_refused");
    assert_eq!(a.run(&["sync", "status"])["events_waiting"], 1);

    assert_eq!(
        hub_footprint(&hub).await,
        before,
        "a refused request wrote something"
    );
}
