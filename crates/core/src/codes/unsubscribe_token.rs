//! Unsubscribe tokens, what the link at the foot of a shop's email holds: `TU1` + key id + the
//! member's id + the channel + MAC, in the same base32 and under the same chain keys as cards
//! and coupons (docs/decisions/0031-panel-and-campaigns.md).
//!
//! Whoever follows the link is taken at their word without signing in (that is what an
//! unsubscribe link is for), so the token must name one member and one channel that nobody can
//! change: the MAC covers both, and its prefix, so no card's or coupon's MAC passes for it.

use uuid::Uuid;

use crate::codes::coupon_token::{number, symbols};
use crate::codes::token::{ChainKey, Signed, TokenError, KEY_ID_LEN, MAC_LEN};
use crate::ids::MemberId;
use crate::people::member_data::Channel;

pub const PREFIX: &str = "TU1";
const MEMBER_LEN: usize = 26;
const CHANNEL_LEN: usize = 1;
pub const TOKEN_LEN: usize = PREFIX.len() + KEY_ID_LEN + MEMBER_LEN + CHANNEL_LEN + MAC_LEN;

/// Who no longer wants what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsubscribe {
    pub member_id: MemberId,
    pub channel: Channel,
}

fn letter(channel: Channel) -> char {
    match channel {
        Channel::Email => 'E',
        Channel::Sms => 'S',
        Channel::Panel => 'P',
    }
}

fn channel(letter: char) -> Option<Channel> {
    match letter {
        'E' => Some(Channel::Email),
        'S' => Some(Channel::Sms),
        'P' => Some(Channel::Panel),
        _ => None,
    }
}

impl ChainKey {
    /// The token of the link that takes `member` off `channel`.
    pub fn issue_unsubscribe(&self, unsubscribe: Unsubscribe) -> String {
        let body = format!(
            "{PREFIX}{}{}{}",
            self.id,
            symbols(unsubscribe.member_id.0.as_u128(), MEMBER_LEN),
            letter(unsubscribe.channel),
        );
        let mac = self.mac(&body);
        format!("{body}{mac}")
    }
}

/// Reads an unsubscribe token (from a link, so upper-cased here) and checks its MAC.
pub fn verify(text: &str, keys: &[ChainKey]) -> Result<Unsubscribe, TokenError> {
    let payload = Signed::parse(&text.trim().to_ascii_uppercase(), PREFIX, TOKEN_LEN)?;
    let payload = payload.verified(keys)?;
    let (member, rest) = payload.split_at(MEMBER_LEN);
    let member = number(member, 128).ok_or(TokenError::Forged)?;
    let channel = rest
        .chars()
        .next()
        .and_then(channel)
        .ok_or(TokenError::Forged)?;
    Ok(Unsubscribe {
        member_id: MemberId(Uuid::from_u128(member)),
        channel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsubscribe_token_names_its_member_and_channel() {
        let key = ChainKey::seeded(1);
        for channel in [Channel::Email, Channel::Sms, Channel::Panel] {
            let asked = Unsubscribe {
                member_id: MemberId::new(),
                channel,
            };
            let token = key.issue_unsubscribe(asked);
            assert_eq!(token.len(), TOKEN_LEN);
            assert_eq!(verify(&token, std::slice::from_ref(&key)), Ok(asked));
            // A mail client may lower-case a link.
            assert_eq!(
                verify(&token.to_lowercase(), std::slice::from_ref(&key)),
                Ok(asked)
            );
        }
    }

    #[test]
    fn a_changed_member_or_channel_or_another_chain_is_refused() {
        let key = ChainKey::seeded(2);
        let token = key.issue_unsubscribe(Unsubscribe {
            member_id: MemberId::new(),
            channel: Channel::Email,
        });
        for i in PREFIX.len() + KEY_ID_LEN..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'S' { b'T' } else { b'S' };
            let changed = String::from_utf8(bytes).unwrap();
            assert_eq!(
                verify(&changed, std::slice::from_ref(&key)),
                Err(TokenError::Forged),
                "{i}"
            );
        }
        let mut other = ChainKey::seeded(3);
        other = ChainKey::from_parts(key.id.clone(), other.secret().to_vec());
        assert_eq!(verify(&token, &[other]), Err(TokenError::Forged));
        assert_eq!(verify(&token[..40], &[key]), Err(TokenError::Truncated));
    }
}
