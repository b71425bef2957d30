//! Survey tokens, what the link to a survey page holds (a QR on a receipt, the customer's
//! screen): `TF1` + key id + the survey's id + MAC, in the same base32 and under the same chain
//! keys as cards, coupons and unsubscribe links (docs/decisions/0032-surveys.md).
//!
//! The page asks no sign-in, so the token names one survey nobody can change; its prefix is in
//! the MAC, so no other token's MAC passes for it. The survey row says who was asked and when.

use uuid::Uuid;

use crate::codes::coupon_token::{number, symbols};
use crate::codes::token::{ChainKey, Signed, TokenError, KEY_ID_LEN, MAC_LEN};
use crate::ids::SurveyId;

pub const PREFIX: &str = "TF1";
const SURVEY_LEN: usize = 26;
pub const TOKEN_LEN: usize = PREFIX.len() + KEY_ID_LEN + SURVEY_LEN + MAC_LEN;

impl ChainKey {
    /// The token of the link that opens `survey`.
    pub fn issue_survey(&self, survey: SurveyId) -> String {
        let body = format!(
            "{PREFIX}{}{}",
            self.id,
            symbols(survey.0.as_u128(), SURVEY_LEN)
        );
        let mac = self.mac(&body);
        format!("{body}{mac}")
    }
}

/// Reads a survey token (from a link, so upper-cased here) and checks its MAC.
pub fn verify(text: &str, keys: &[ChainKey]) -> Result<SurveyId, TokenError> {
    let payload = Signed::parse(&text.trim().to_ascii_uppercase(), PREFIX, TOKEN_LEN)?;
    let payload = payload.verified(keys)?;
    let id = number(payload, 128).ok_or(TokenError::Forged)?;
    Ok(SurveyId(Uuid::from_u128(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_survey_token_names_its_survey_whatever_the_case() {
        let key = ChainKey::seeded(1);
        let survey = SurveyId::new();
        let token = key.issue_survey(survey);
        assert_eq!(token.len(), TOKEN_LEN);
        assert_eq!(verify(&token, std::slice::from_ref(&key)), Ok(survey));
        assert_eq!(
            verify(&token.to_lowercase(), std::slice::from_ref(&key)),
            Ok(survey)
        );
    }

    #[test]
    fn a_changed_token_an_unsubscribe_token_or_another_chain_is_refused() {
        let key = ChainKey::seeded(2);
        let token = key.issue_survey(SurveyId::new());
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
        // The same body under another prefix is not a survey's.
        let other_kind = token.replacen(PREFIX, "TU1", 1);
        assert!(verify(&other_kind, std::slice::from_ref(&key)).is_err());
        let stranger = ChainKey::from_parts(key.id.clone(), ChainKey::seeded(3).secret().to_vec());
        assert_eq!(verify(&token, &[stranger]), Err(TokenError::Forged));
    }
}
