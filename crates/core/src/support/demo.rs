//! Demo data: a café with a few dozen members and two programs, to explore Tessera before
//! setting up a real shop. Deterministic, so screenshots and tests see the same café.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::counter::programs::NewProgram;
use crate::error::Result;
use crate::first_run::{NewShop, SetUp};
use crate::i18n::Messages;
use crate::people::members::NewMember;
use crate::people::shop::Actor;
use crate::store::Store;

pub const DEMO_MANAGER: &str = "Alex";
pub const DEMO_MANAGER_PIN: &str = "1234";
pub const DEMO_CASHIER: &str = "Sam";
pub const DEMO_CASHIER_PIN: &str = "0000";

const MEMBERS: &[(&str, &str)] = &[
    ("Claire Dubois", "fr"),
    ("Julien Moreau", "fr"),
    ("Élodie Lefèvre", "fr"),
    ("Mathieu Girard", "fr"),
    ("Camille Rousseau", "fr"),
    ("Chloé Fontaine", "fr"),
    ("Giulia Rossi", "it"),
    ("Marco Bianchi", "it"),
    ("Francesca Romano", "it"),
    ("Luca Ferrari", "it"),
    ("Chiara Esposito", "it"),
    ("Niccolò Ricci", "it"),
    ("Andreea Popescu", "ro"),
    ("Ștefan Ionescu", "ro"),
    ("Ioana Țurcanu", "ro"),
    ("Mihai Dumitrescu", "ro"),
    ("Elena Stănescu", "ro"),
    ("Răzvan Constantin", "ro"),
    ("Szabó Eszter", "hu"),
    ("Nagy Gergő", "hu"),
    ("Kovács Réka", "hu"),
    ("Tóth Ödön", "hu"),
    ("Horváth Zsófia", "hu"),
    ("Varga Bálint", "hu"),
    ("Emma Walsh", "en"),
    ("Oliver Bennett", "en"),
    ("Sophie Clarke", "en"),
    ("Harry Patel", "en"),
    ("Grace O'Connor", "en"),
    ("Jack Thompson", "en"),
    ("Léa Martin", "fr"),
    ("Hugo Bernard", "fr"),
    ("Sara Colombo", "it"),
    ("Alessandro Greco", "it"),
    ("Bianca Munteanu", "ro"),
    ("Vlad Georgescu", "ro"),
    ("Fekete Őrs", "hu"),
    ("Molnár Anna", "hu"),
    ("Amelia Hughes", "en"),
    ("Noah Fischer", "en"),
];

/// Sets up the demo café (programs named in `language`), its manager (signed in by the caller) and a cashier, two programs,
/// and members with punches and a few rewards already redeemed.
pub async fn load_demo(store: &Store, language: &str) -> Result<SetUp> {
    // Formatted up front: a Fluent bundle must not live across an await (it is not Send).
    let [coffee_name, coffee_reward, pastry_name, pastry_reward] = {
        let messages = Messages::new(language);
        [
            "setup-program-default-name",
            "setup-program-default-reward",
            "demo-pastry-card",
            "demo-pastry-reward",
        ]
        .map(|key| messages.format(key, &Default::default()))
    };
    let set_up = store
        .init_shop(&NewShop {
            shop_name: "Café Lumière".into(),
            language: language.into(),
            currency: "EUR".into(),
            manager_name: DEMO_MANAGER.into(),
            manager_pin: DEMO_MANAGER_PIN.into(),
        })
        .await?;
    let manager = Actor::from(&set_up.manager);
    let cashier = store
        .add_staff(
            &manager,
            DEMO_CASHIER,
            crate::people::shop::Role::Cashier,
            DEMO_CASHIER_PIN,
        )
        .await?;
    let cashier = Actor::from(&cashier);
    let coffee = store
        .add_program(
            &manager,
            &NewProgram {
                name: coffee_name,
                punches_needed: 9,
                reward: coffee_reward,
                ..NewProgram::default()
            },
        )
        .await?;
    let pastry = store
        .add_program(
            &manager,
            &NewProgram {
                name: pastry_name,
                punches_needed: 6,
                reward: pastry_reward,
                ..NewProgram::default()
            },
        )
        .await?;

    let mut rng = StdRng::seed_from_u64(2026);
    for (i, (name, language)) in MEMBERS.iter().enumerate() {
        let email = format!(
            "{}@example.com",
            name.to_lowercase()
                .split_whitespace()
                .next()
                .unwrap_or("member")
        );
        let member = store
            .enroll(
                &cashier,
                &NewMember {
                    name: (*name).into(),
                    email: (i % 3 == 0).then_some(email),
                    phone: (i % 4 == 0).then(|| format!("+33 6 12 34 {:02} {:02}", i, i * 2 % 100)),
                    language: Some((*language).into()),
                },
            )
            .await?;
        let coffees = rng.gen_range(0..22);
        for _ in 0..coffees {
            store.punch(&cashier, member.id, Some(coffee.id), 1).await?;
        }
        if coffees >= 9 && rng.gen_bool(0.5) {
            store.redeem(&cashier, member.id, Some(coffee.id)).await?;
        }
        if rng.gen_bool(0.4) {
            store
                .punch(&cashier, member.id, Some(pastry.id), rng.gen_range(1..7))
                .await?;
        }
    }
    Ok(set_up)
}
