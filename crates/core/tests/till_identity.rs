//! A till knows its own shop: with other shops' rows in the database (as sync brings them),
//! its events and staff stay its own, while programs and managers are the chain's. First run
//! is one transaction.

use tessera_core::counter::programs::NewProgram;
use tessera_core::first_run::NewShop;
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::Actor;
use tessera_core::Store;

fn new_shop(name: &str) -> NewShop {
    NewShop {
        shop_name: name.into(),
        language: "it".into(),
        currency: "EUR".into(),
        manager_name: "Giulia".into(),
        manager_pin: "2468".into(),
    }
}

fn coffee() -> NewProgram {
    NewProgram {
        name: "Tessera caffè".into(),
        punches_needed: 9,
        reward: "Caffè omaggio".into(),
        ..NewProgram::default()
    }
}

#[tokio::test]
async fn a_refused_first_program_saves_nothing_and_a_retry_works() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("till.db")).await.unwrap();
    let blank = NewProgram {
        name: "   ".into(),
        ..coffee()
    };
    let refused = store
        .set_up_shop(&new_shop("Bar Centrale"), Some(&blank))
        .await;
    assert_eq!(refused.unwrap_err().code(), "empty_field");
    assert!(
        store.shop().await.unwrap().is_none(),
        "no shop without its program"
    );
    let set_up = store
        .set_up_shop(&new_shop("Bar Centrale"), Some(&coffee()))
        .await
        .unwrap();
    assert_eq!(set_up.shop.name, "Bar Centrale");
    let programs = store.programs().await.unwrap();
    assert_eq!(programs.len(), 1);
    assert_eq!(programs[0].name, "Tessera caffè");
}

#[tokio::test]
async fn another_shops_rows_do_not_become_this_tills() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("till.db")).await.unwrap();
    let set_up = store
        .set_up_shop(&new_shop("Bar Centrale"), Some(&coffee()))
        .await
        .unwrap();
    let manager = Actor::from(&set_up.manager);
    // Another shop of the chain, with its manager and program, as sync will bring them. Its
    // id sorts first, the way "SELECT ... FROM shop LIMIT 1" used to pick the wrong one.
    let other_shop = uuid::Uuid::nil();
    sqlx::query(
        "INSERT INTO shop (id, name, language, currency, created_at)
         VALUES (?, 'Bar Stazione', 'it', 'EUR', '2020-01-01T00:00:00Z')",
    )
    .bind(other_shop)
    .execute(store.pool())
    .await
    .unwrap();
    // Its manager (PIN 1357) and its cashier, as sync brings them.
    let pin_hash = {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        argon2::Argon2::default()
            .hash_password(b"1357", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string()
    };
    for (name, role) in [("Marco", "manager"), ("Paolo", "cashier")] {
        sqlx::query(
            "INSERT INTO staff (id, shop_id, name, role, pin_hash, created_at)
             VALUES (?, ?, ?, ?, ?, '2020-01-01T00:00:00Z')",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(other_shop)
        .bind(name)
        .bind(role)
        .bind(&pin_hash)
        .execute(store.pool())
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO program (id, shop_id, name, punches_needed, reward, active, created_at)
         VALUES (?, ?, 'Cornetti', 5, 'Cornetto', 1, '2020-01-01T00:00:00Z')",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(other_shop)
    .execute(store.pool())
    .await
    .unwrap();

    assert_eq!(store.shop().await.unwrap().unwrap().name, "Bar Centrale");
    let programs: Vec<_> = store
        .programs()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        programs,
        ["Cornetti", "Tessera caffè"],
        "programs are the chain's: the same card in every shop"
    );
    let staff: Vec<_> = store
        .staff_list()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        staff,
        ["Giulia", "Marco"],
        "this shop's staff, then the chain's managers; not other shops' cashiers"
    );
    assert_eq!(
        store.sign_in("Paolo", "1357").await.unwrap_err().code(),
        "wrong_pin",
        "another shop's cashier does not sign in here (and is told no more than a wrong PIN)"
    );
    assert_eq!(
        store.sign_in("Marco", "1357").await.unwrap().name,
        "Marco",
        "a manager's PIN works in every shop"
    );
    assert_eq!(
        store.sign_in("Marco", "2468").await.unwrap_err().code(),
        "wrong_pin"
    );

    let member = store
        .enroll(
            &manager,
            &NewMember {
                name: "Chiara Bianchi".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let coffee = store.program_named("Tessera caffè").await.unwrap();
    let punch = store
        .punch(&manager, member.id, Some(coffee.id), 1)
        .await
        .unwrap();
    assert_eq!(
        punch.event.shop_id, set_up.shop.id,
        "the event is this till's shop's"
    );
}

#[tokio::test]
async fn a_program_is_named_by_its_id_or_its_name_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("till.db")).await.unwrap();
    store
        .set_up_shop(&new_shop("Bar Centrale"), Some(&coffee()))
        .await
        .unwrap();
    let program = store.programs().await.unwrap().remove(0);
    assert_eq!(store.program_named("TESSERA CAFFÈ").await.unwrap(), program);
    assert_eq!(
        store.program_named(&program.id.to_string()).await.unwrap(),
        program
    );
    assert_eq!(
        store.program_named("Pastry").await.unwrap_err().code(),
        "program_not_found"
    );
}
