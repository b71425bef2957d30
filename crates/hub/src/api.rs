//! The hub's HTTP API (protocol version 1): routes, token checks, and refusals as
//! `{"error": {"code", "message"}}` with a stable code. Logs name devices by number, never a
//! member, a token or a record's content.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tessera_core::sync::protocol::{
    HubError, HubErrorBody, JoinReply, JoinRequest, PullReply, PullRequest, PushReply, PushRequest,
    PROTOCOL_VERSION,
};

use crate::exchange::{self, Refusal};
use crate::storage::{Device, Storage, StorageError};

/// A push of a full page of members is well under this; anything bigger is not a till's.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

pub fn router<S: Storage>(storage: S) -> Router {
    Router::new()
        .route("/v1/health", get(health::<S>))
        .route("/v1/join", post(join::<S>))
        .route("/v1/push", post(push::<S>))
        .route("/v1/pull", post(pull::<S>))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(storage)
}

/// The SHA-256 of a token, as the hub keeps it: a token is 256 random bits, so a fast hash is
/// enough (a slow one protects guessable secrets like PINs).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A refusal as the till reads it.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = HubErrorBody {
            error: HubError {
                code: self.code.into(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> ApiError {
        tracing::error!(cause = %error, "hub storage failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "hub_storage",
            "the hub cannot reach its database; try again later",
        )
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        let status = match &refusal {
            Refusal::Storage(_) => {
                tracing::error!(cause = %refusal, "hub storage failed");
                StatusCode::SERVICE_UNAVAILABLE
            }
            Refusal::ProtocolVersion => StatusCode::BAD_REQUEST,
            Refusal::TokenUsed | Refusal::ShopMismatch => StatusCode::CONFLICT,
            Refusal::NotJoined | Refusal::NotYourDevice => StatusCode::FORBIDDEN,
        };
        ApiError::new(status, refusal.code(), refusal.to_string())
    }
}

/// The device whose token the request carries; refused without one, with an unknown one, or
/// with a revoked one (each its own code, all 401).
async fn authenticate<S: Storage>(storage: &S, headers: &HeaderMap) -> Result<Device, ApiError> {
    let unauthorised = |code, message| ApiError::new(StatusCode::UNAUTHORIZED, code, message);
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unauthorised("token_missing", "a device token is required"))?;
    let device = storage
        .device_by_token(&token_hash(token))
        .await?
        .ok_or_else(|| unauthorised("token_unknown", "this token is not one of this hub's"))?;
    if device.revoked_at.is_some() {
        tracing::warn!(device = device.no, "a revoked device tried to sync");
        return Err(unauthorised("token_revoked", "this device was revoked"));
    }
    Ok(device)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    protocol: u32,
    version: &'static str,
}

async fn health<S: Storage>(State(storage): State<S>) -> Result<Json<Health>, ApiError> {
    storage.ping().await?;
    Ok(Json(Health {
        status: "ok",
        protocol: PROTOCOL_VERSION,
        version: env!("CARGO_PKG_VERSION"),
    }))
}

async fn join<S: Storage>(
    State(storage): State<S>,
    headers: HeaderMap,
    Json(request): Json<JoinRequest>,
) -> Result<Json<JoinReply>, ApiError> {
    let device = authenticate(&storage, &headers).await?;
    Ok(Json(exchange::join(&storage, &device, &request).await?))
}

async fn push<S: Storage>(
    State(storage): State<S>,
    headers: HeaderMap,
    Json(request): Json<PushRequest>,
) -> Result<Json<PushReply>, ApiError> {
    let device = authenticate(&storage, &headers).await?;
    let reply = exchange::push(&storage, &device, &request).await?;
    tracing::info!(
        device = device.no,
        changes = reply.changes.len(),
        events = reply.events.len(),
        "push"
    );
    Ok(Json(reply))
}

async fn pull<S: Storage>(
    State(storage): State<S>,
    headers: HeaderMap,
    Json(request): Json<PullRequest>,
) -> Result<Json<PullReply>, ApiError> {
    let device = authenticate(&storage, &headers).await?;
    let reply = exchange::pull(&storage, &device, &request).await?;
    tracing::debug!(
        device = device.no,
        changes = reply.changes.len(),
        events = reply.events.len(),
        more = reply.more,
        "pull"
    );
    Ok(Json(reply))
}
