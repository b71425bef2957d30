//! Talking to the hub over HTTP(S). Anything but loopback must be HTTPS; a hub with a
//! self-signed certificate is trusted by giving the till that certificate (PEM).

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::sync::protocol::{
    HubErrorBody, JoinReply, JoinRequest, PullReply, PullRequest, PushReply, PushRequest,
};

/// A request that has not answered by then is given up (the next sync tries again).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct HubClient {
    base: reqwest::Url,
    token: String,
    http: reqwest::Client,
}

/// The hub's address, checked: http(s), and HTTPS unless it is this machine.
pub fn hub_url(text: &str) -> Result<reqwest::Url> {
    let url = reqwest::Url::parse(text.trim()).map_err(|_| CoreError::InvalidHubUrl {
        url: text.to_string(),
    })?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(CoreError::InsecureHubUrl {
            url: text.to_string(),
        }),
        _ => Err(CoreError::InvalidHubUrl {
            url: text.to_string(),
        }),
    }
}

/// Whether a failed request failed on the hub's certificate (rustls names it in the error
/// chain; reqwest has no kind for it).
fn untrusted_certificate(error: &reqwest::Error) -> bool {
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = cause {
        if e.to_string().to_lowercase().contains("certificate") {
            return true;
        }
        cause = e.source();
    }
    false
}

impl HubClient {
    /// `trust_pem`: a certificate to trust for this hub besides the usual roots (a self-signed
    /// one).
    pub fn new(url: &str, token: &str, trust_pem: Option<&str>) -> Result<HubClient> {
        let base = hub_url(url)?;
        let mut builder = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("tessera/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = trust_pem {
            let certificate = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|_| CoreError::InvalidCertificate)?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder
            .build()
            .map_err(|e| CoreError::internal("http client", e))?;
        Ok(HubClient {
            base,
            token: token.to_string(),
            http,
        })
    }

    pub fn url(&self) -> &reqwest::Url {
        &self.base
    }

    pub async fn join(&self, request: &JoinRequest) -> Result<JoinReply> {
        self.post("v1/join", request).await
    }

    pub async fn push(&self, request: &PushRequest) -> Result<PushReply> {
        self.post("v1/push", request).await
    }

    pub async fn pull(&self, request: &PullRequest) -> Result<PullReply> {
        self.post("v1/pull", request).await
    }

    async fn post<T: Serialize, R: DeserializeOwned>(&self, path: &str, body: &T) -> Result<R> {
        let url = self.base.join(path).map_err(|_| CoreError::InvalidHubUrl {
            url: self.base.to_string(),
        })?;
        let unreachable = |e: reqwest::Error| {
            // Which hub and why (refused, timed out, TLS) go to the log; the person is told the
            // hub could not be reached, and the till keeps working offline. A certificate the
            // till does not trust is told apart: waiting will not fix it, a manager must.
            tracing::warn!(hub = %self.base, cause = ?e, "hub unreachable");
            let url = self.base.to_string();
            if untrusted_certificate(&e) {
                CoreError::HubCertificateUntrusted { url }
            } else {
                CoreError::HubUnreachable { url }
            }
        };
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if status.is_success() {
            return response.json::<R>().await.map_err(|e| {
                tracing::warn!(hub = %self.base, cause = %e, "unreadable answer from the hub");
                CoreError::HubRefused {
                    reason: "unreadable_answer".into(),
                }
            });
        }
        let reason = match response.json::<HubErrorBody>().await {
            Ok(body) => body.error.code,
            Err(_) => format!("http_{}", status.as_u16()),
        };
        tracing::warn!(hub = %self.base, %reason, "the hub refused");
        Err(match reason.as_str() {
            "token_missing" | "token_unknown" | "token_revoked" => {
                CoreError::HubTokenRefused { reason }
            }
            _ => CoreError::HubRefused { reason },
        })
    }
}
