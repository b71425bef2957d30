//! What is printed on a loyalty card, a voucher or a link: the member code a person can type (with its check
//! character) and the signed QR token any till verifies offline. Formats only: no store.

pub mod coupon_token;
pub mod member_code;
pub mod survey_token;
pub mod token;
pub mod unsubscribe_token;
