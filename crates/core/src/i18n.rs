//! Fluent messages for the Rust side (CLI output, printed cards, error messages). The same
//! `.ftl` files under `locales/` are read by the UI: one source of truth per message.

use std::collections::BTreeMap;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::error::CoreError;
use crate::input::validate::LANGUAGES;

/// The message file of a language (English for anything we do not speak).
pub fn ftl_source(language: &str) -> &'static str {
    match language {
        "fr" => include_str!("../../../locales/fr/tessera.ftl"),
        "it" => include_str!("../../../locales/it/tessera.ftl"),
        "ro" => include_str!("../../../locales/ro/tessera.ftl"),
        "hu" => include_str!("../../../locales/hu/tessera.ftl"),
        _ => include_str!("../../../locales/en/tessera.ftl"),
    }
}

pub struct Messages {
    bundle: FluentBundle<FluentResource>,
    language: &'static str,
}

impl Messages {
    pub fn new(language: &str) -> Messages {
        let language = LANGUAGES
            .iter()
            .find(|known| **known == language)
            .copied()
            .unwrap_or("en");
        let langid: LanguageIdentifier = language.parse().unwrap_or_default();
        let resource = FluentResource::try_new(ftl_source(language).to_string())
            .unwrap_or_else(|(partial, _errors)| partial);
        let mut bundle = FluentBundle::new(vec![langid]);
        bundle.set_use_isolating(false);
        // Only fails on duplicate ids, which the locale tests rule out.
        let _ = bundle.add_resource(resource);
        Messages { bundle, language }
    }

    /// The language spoken: one of the five, English when asked for another.
    pub fn language(&self) -> &'static str {
        self.language
    }

    /// A day as people of this language write it in short: 24/11/2026, 24.11.2026,
    /// 2026. 11. 24. (what the UI's `Intl` writes for the same languages).
    pub fn date(&self, day: chrono::NaiveDate) -> String {
        let pattern = match self.language {
            "ro" => "%d.%m.%Y",
            "hu" => "%Y. %m. %d.",
            _ => "%d/%m/%Y",
        };
        day.format(pattern).to_string()
    }

    /// An amount in cents of `currency` as people of this language write it: €5.00, 5,00 €,
    /// 1.250,00 lei, 1 250,00 Ft (what the UI's `Intl` writes, near enough for a voucher).
    pub fn money(&self, cents: i64, currency: &str) -> String {
        let symbol = match currency {
            "EUR" => "€",
            "GBP" => "£",
            "USD" => "$",
            "RON" => "lei",
            "HUF" => "Ft",
            other => other,
        };
        let (decimal, group) = match self.language {
            "en" => ('.', ","),
            "fr" => (',', "\u{202F}"),
            "hu" => (',', "\u{A0}"),
            _ => (',', "."),
        };
        let units = (cents.abs() / 100).to_string();
        let mut grouped = String::new();
        for (i, digit) in units.chars().enumerate() {
            if i > 0 && (units.len() - i) % 3 == 0 {
                grouped.push_str(group);
            }
            grouped.push(digit);
        }
        let sign = if cents < 0 { "-" } else { "" };
        let number = format!("{sign}{grouped}{decimal}{:02}", cents.abs() % 100);
        if self.language == "en" && symbol.chars().count() == 1 {
            format!("{symbol}{number}")
        } else {
            format!("{number}\u{A0}{symbol}")
        }
    }

    /// The message `key` with `args`; integers are passed as numbers so plural rules apply.
    /// A missing message shows its key, never a blank.
    pub fn format(&self, key: &str, args: &BTreeMap<String, String>) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            // Only a canonical integer is a number: a code like "0042" stays text.
            match value.parse::<i64>() {
                Ok(n) if n.to_string() == *value => {
                    fluent_args.set(name.as_str(), FluentValue::from(n))
                }
                _ => fluent_args.set(name.as_str(), FluentValue::from(value.as_str())),
            }
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }

    pub fn has(&self, key: &str) -> bool {
        self.bundle.get_message(key).is_some()
    }

    pub fn error(&self, error: &CoreError) -> String {
        self.format(&error.key(), &error.args())
    }
}

#[cfg(test)]
mod date_tests {
    use super::Messages;

    #[test]
    fn each_language_writes_a_day_its_own_way() {
        let day = "2026-11-24".parse().unwrap();
        let written: Vec<String> = ["en", "fr", "it", "ro", "hu"]
            .iter()
            .map(|l| Messages::new(l).date(day))
            .collect();
        assert_eq!(
            written,
            [
                "24/11/2026",
                "24/11/2026",
                "24/11/2026",
                "24.11.2026",
                "2026. 11. 24."
            ]
        );
    }
}

/// The ids of the messages a `.ftl` file defines (for the completeness tests).
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::english("en", 500, "EUR", "€5.00")]
    #[case::french("fr", 125_000, "EUR", "1\u{202F}250,00\u{A0}€")]
    #[case::italian("it", 99, "EUR", "0,99\u{A0}€")]
    #[case::romanian("ro", 1_234_567, "RON", "12.345,67\u{A0}lei")]
    #[case::hungarian("hu", 250_000, "HUF", "2\u{A0}500,00\u{A0}Ft")]
    #[case::an_unknown_currency("en", 500, "CHF", "5.00\u{A0}CHF")]
    fn money_is_written_the_languages_way(
        #[case] language: &str,
        #[case] cents: i64,
        #[case] currency: &str,
        #[case] shown: &str,
    ) {
        assert_eq!(Messages::new(language).money(cents, currency), shown);
    }

    #[rstest]
    fn every_language_parses_and_has_every_english_message(
        #[values("fr", "it", "ro", "hu")] language: &str,
    ) {
        let source = ftl_source(language);
        if let Err((_, errors)) = FluentResource::try_new(source.to_string()) {
            panic!("{language}: {errors:?}");
        }
        let english = message_ids(ftl_source("en"));
        let here = message_ids(source);
        let missing: Vec<_> = english.iter().filter(|id| !here.contains(id)).collect();
        let extra: Vec<_> = here.iter().filter(|id| !english.contains(id)).collect();
        assert!(missing.is_empty(), "{language} lacks {missing:?}");
        assert!(extra.is_empty(), "{language} has unknown {extra:?}");
    }

    #[rstest]
    fn every_error_has_a_message(#[values("en", "fr", "it", "ro", "hu")] language: &str) {
        let messages = Messages::new(language);
        for error in CoreError::all_examples() {
            assert!(
                messages.has(&error.key()),
                "{language} lacks {}",
                error.key()
            );
            assert!(!messages.error(&error).contains('{'), "{}", error.key());
        }
    }

    #[test]
    fn plural_rules_follow_the_language() {
        let args = |n: &str| BTreeMap::from([("count".to_string(), n.to_string())]);
        let ro = Messages::new("ro");
        // Romanian: 1 → one, 2..19 → few, 20+ → other ("de").
        assert_ne!(
            ro.format("rewards-ready", &args("2")),
            ro.format("rewards-ready", &args("20"))
        );
        let en = Messages::new("en");
        assert_ne!(
            en.format("rewards-ready", &args("1")),
            en.format("rewards-ready", &args("2"))
        );
    }
}
