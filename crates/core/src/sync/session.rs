//! Joining a chain and syncing with its hub: the steps of `till` driven over `client`.
//!
//! A sync pushes until the hub has everything of this till's, then pulls until nothing is
//! waiting. Every step is its own transaction and every answer is idempotent, so a sync cut at
//! any point (the line drops, either side is killed) loses nothing: the next one resumes from
//! the marks.

use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::Store;
use crate::sync::client::HubClient;
use crate::sync::protocol::PAGE_LIMIT;
use crate::sync::till::{NewTill, SyncStatus};

/// What joining did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Joined {
    pub hub: String,
    pub device_no: i64,
    pub code_prefix: String,
    pub shop_name: String,
    /// The first sync, made right after joining.
    pub sync: SyncReport,
}

/// What one sync moved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed_changes: usize,
    pub pushed_events: usize,
    /// Entries of this till's the hub refused this time (see `sync_rejections`).
    pub rejected: usize,
    pub pulled_changes: usize,
    pub pulled_events: usize,
    pub code_clashes: usize,
    pub status: Option<SyncStatus>,
}

/// Makes this till a till of the chain whose hub is at `url`, with the token the hub's admin
/// gave for it, then syncs once. A till that was never set up becomes a till of the token's
/// shop; a till that worked alone brings its shop, members and history.
pub async fn join(
    store: &Store,
    actor: Option<&Actor>,
    url: &str,
    token: &str,
    trust_pem: Option<&str>,
    new_till: &NewTill,
) -> Result<Joined> {
    // A set-up till's members and history are about to leave it: a manager decides. A till
    // never set up has nothing to protect (and nobody to sign in yet).
    if store.shop().await?.is_some() {
        actor
            .ok_or(CoreError::SignInRequired)?
            .require(Permission::JoinChain)?;
    }
    let client = HubClient::new(url, token, trust_pem)?;
    let request = store.join_request().await?;
    let reply = client.join(&request).await?;
    store
        .finish_join(client.url().as_str(), token, trust_pem, &reply, new_till)
        .await?;
    let sync = sync_once(store).await?;
    Ok(Joined {
        hub: client.url().to_string(),
        device_no: reply.device_no,
        code_prefix: reply.code_prefix,
        shop_name: reply.shop_name,
        sync,
    })
}

/// One sync: push everything waiting, then pull everything new. How it ended (its time, or
/// its error code) is noted for the status line.
pub async fn sync_once(store: &Store) -> Result<SyncReport> {
    let link = store.require_hub_link().await?;
    let client = HubClient::new(&link.url, &link.token, link.trust_pem.as_deref())?;
    let result = exchange(store, &client).await;
    // Noting the outcome is best effort: a sync that worked is not undone by a locked status.
    let _ = store
        .note_sync(result.as_ref().err().map(CoreError::code))
        .await;
    let mut report = result?;
    report.status = Some(store.sync_status().await?);
    Ok(report)
}

async fn exchange(store: &Store, client: &HubClient) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    loop {
        let request = store.outgoing(PAGE_LIMIT).await?;
        if request.changes.is_empty() && request.events.is_empty() {
            break;
        }
        let reply = client.push(&request).await?;
        report.rejected += store.acknowledge(&reply).await?;
        report.pushed_changes += reply.changes.len();
        report.pushed_events += reply.events.len();
        // The hub's marks say whether it took the first entry sent of either log; if it took
        // neither, sending the same again would loop forever.
        let took_changes = request
            .changes
            .first()
            .is_some_and(|c| reply.marks.changes >= c.seq);
        let took_events = request
            .events
            .first()
            .is_some_and(|e| reply.marks.events >= e.seq);
        if !took_changes && !took_events {
            return Err(CoreError::HubRefused {
                reason: "no_progress".into(),
            });
        }
    }
    loop {
        let request = store.pull_request(PAGE_LIMIT).await?;
        let page = client.pull(&request).await?;
        let taken = store.take_in(&page).await?;
        report.pulled_changes += taken.changes;
        report.pulled_events += taken.events;
        report.code_clashes += taken.code_clashes;
        if !page.more {
            break;
        }
    }
    Ok(report)
}
