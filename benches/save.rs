//! A saved command: transaction + flush + fsync, as the clerk waits for "saved". Prints p50/p99.
//! Run with `cargo bench --bench save`.

use frontoffice::domain::{
    intake::{Channel, Intake, Outcome, Topic},
    record::Body,
};
mod common;

use common::pct;
use frontoffice::service::ApiExt;
use std::time::{Duration, Instant};

fn main() {
    let bench = common::demo_db(10_000);
    let svc = common::open_ready(&bench);
    let s = svc.session(&bench.login).unwrap();
    let person = s.search("иван", 1).unwrap()[0].id;
    let n = 500;
    let mut creates = Vec::with_capacity(n);
    let mut updates = Vec::with_capacity(n);
    for i in 0..n {
        let intake = Intake {
            reg_no: String::new(),
            at: svc.now(),
            channel: Channel::Phone,
            clerk: String::new(),
            person: Some(person),
            topics: vec![Topic::SocialServices],
            note: format!("Обаждане {i}"),
            outcome: Outcome::Informed,
            follow_up: None,
        };
        let t = Instant::now();
        let rec = s.create(Body::Intake(intake.clone())).unwrap();
        creates.push(t.elapsed());
        let mut changed = intake;
        changed.note.push_str(" — уточнено");
        let t = Instant::now();
        s.update(rec.meta.id, rec.meta.rev, Body::Intake(changed))
            .unwrap();
        updates.push(t.elapsed());
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("saved command (transaction + flush + fsync), {n} each, database of 10k persons:");
    println!(
        "  create intake: p50 {:.2} ms, p99 {:.2} ms",
        ms(pct(creates.clone(), 0.5)),
        ms(pct(creates, 0.99))
    );
    println!(
        "  update intake: p50 {:.2} ms, p99 {:.2} ms",
        ms(pct(updates.clone(), 0.5)),
        ms(pct(updates, 0.99))
    );
}
