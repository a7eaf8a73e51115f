//! Backups on screen (src/store/backup.rs), in the worker module: the offer on the list
//! (plainly at the end of the day), and the restore — on the first-use screen of a new
//! tablet, and in the lock's settings of one in use.

use super::browser;
use crate::i18n::backup::{self as text, BackupMsg as B};
use crate::i18n::Lang;
use crate::store::backup::{self, BackupError, Offer};
use crate::store::local::LocalStore;
use crate::store::{KvStore, VisitStore};
use crate::vault::lock::Secret;
use crate::vault::{holder, DataKey};
use leptos::prelude::*;

/// The backup offer: when the last one was made, how many surveys changed since (from
/// `updated`, the times the list's responses last changed), and the button.
#[component]
pub fn BackupOffer(lang: Lang, kv: LocalStore, updated: Signal<Vec<String>>) -> impl IntoView {
    let t = move |m: B| m.get(lang);
    let last = RwSignal::new(kv.get(backup::LAST_KEY).ok().flatten());
    let changed = Memo::new(move |_| {
        last.with(|l| {
            updated.with(|u| {
                u.iter()
                    .filter(|t| l.as_ref().is_none_or(|l| t.as_str() > l.as_str()))
                    .count()
            })
        })
    });
    let note = RwSignal::new(None::<(bool, String)>);
    let now = browser::now();
    let state = Memo::new(move |_| backup::offer(last.get().as_deref(), changed.get(), &now));
    let make = move |_| {
        let Some(key) = holder::gen().map(DataKey::Held) else {
            return note.set(Some((true, t(B::Locked).to_owned())));
        };
        let now = browser::now();
        let made = backup::write(&kv, &key, &now).map(|bytes| {
            let worker = VisitStore::new(&kv)
                .worker_code()
                .ok()
                .flatten()
                .unwrap_or_default();
            (backup::file_name(&worker, &now), bytes)
        });
        match made {
            Ok((name, bytes)) => {
                if browser::download_bytes(&name, &bytes, "application/octet-stream") {
                    // Best effort: the file is out; a full storage only forgets when.
                    let _ = kv.set(backup::LAST_KEY, &now);
                    last.set(Some(now));
                    note.set(Some((false, text::downloaded(lang, &name))));
                } else {
                    note.set(Some((true, t(B::NotDownloaded).to_owned())));
                }
            }
            Err(e) => note.set(Some((true, text::problem(lang, &e)))),
        }
    };
    let said = move || match (last.get(), state.get()) {
        (None, _) => t(B::Never).to_owned(),
        (Some(_), Offer::Nothing) => t(B::NothingSince).to_owned(),
        (Some(when), _) => text::since(lang, &browser::short_time(&when), changed.get()),
    };
    view! {
        <section class=move || if state.get() == Offer::Due { "backup banner warn" } else { "backup" }
            data-testid="backup-offer" data-due=move || (state.get() == Offer::Due).to_string()
            aria-labelledby="backup-title">
            <h2 id="backup-title">{t(B::Title)}</h2>
            <p data-testid="backup-state">{said}</p>
            <p class="hint">{t(B::Help)}</p>
            <button class=move || if state.get() == Offer::Due { "primary" } else { "" }
                data-testid="backup-download" on:click=make>{t(B::Download)}</button>
            {move || note.get().map(|(error, text)| view! {
                <p class=if error { "banner error" } else { "banner info" } role=if error { "alert" } else { "status" }
                    data-testid="backup-note">{text}</p>
            })}
        </section>
    }
}

/// Why a backup was not opened: a refusal of the store, or a secret of the other kind.
enum Refusal {
    Backup(BackupError),
    Lock(super::lock::Refused),
}

impl From<BackupError> for Refusal {
    fn from(e: BackupError) -> Self {
        Refusal::Backup(e)
    }
}

/// Where a restore stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Pick,
    /// A file read: the PIN next.
    Pin,
    /// Opened and planned: the worker confirms.
    Confirm,
    Done,
}

/// The restore. `fresh`: a tablet without a PIN, which takes the backup's (`done` runs once
/// it holds the key).
#[component]
pub fn Restore(
    lang: Lang,
    kv: LocalStore,
    fresh: bool,
    #[prop(optional)] done: Option<Callback<()>>,
) -> impl IntoView {
    let t = move |m: B| m.get(lang);
    let step = RwSignal::new(Step::Pick);
    let file = StoredValue::new_local(None::<Vec<u8>>);
    let created = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    // What the backup's lock asks for: its PIN, or its passphrase.
    let asked = RwSignal::new(Secret::Pin);
    let note = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let planned = StoredValue::new_local(None::<backup::Restore>);
    let summary = RwSignal::new(String::new());
    let fail = move |e: &BackupError| note.set(Some((true, text::problem(lang, e))));

    let picked = move |ev: leptos::ev::Event| {
        let Some(f) = browser::picked_files(&ev).into_iter().next() else {
            return;
        };
        note.set(None);
        step.set(Step::Pick);
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let bytes = browser::file_bytes(f).await;
            busy.set(false);
            let Some(bytes) = bytes else {
                return fail(&BackupError::Truncated);
            };
            match backup::read(&bytes) {
                Ok(sealed) => {
                    created.set(browser::short_time(&sealed.created));
                    asked.set(sealed.lock.recipe.secret);
                    file.set_value(Some(bytes));
                    step.set(Step::Pin);
                    request_animation_frame(|| {
                        browser::focus_by_id("restore-pin");
                    });
                }
                Err(e) => fail(&e),
            }
        });
    };

    let open = {
        let kv = kv.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let Some(bytes) = file.with_value(Clone::clone) else {
                return;
            };
            busy.set(true);
            note.set(Some((false, t(B::Working).to_owned())));
            let typed = pin.get_untracked();
            let kv = kv.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = async {
                    let sealed = backup::read(&bytes)?;
                    let recipe = sealed.lock.recipe;
                    if !recipe.secret.fits(&typed) {
                        return Err(Refusal::Lock(super::lock::not_that_kind(recipe.secret)));
                    }
                    let kek = super::kek::derive(&recipe, &typed)
                        .await
                        .ok_or(BackupError::NoCrypto)?;
                    let mut opened = sealed.open(&kek)?;
                    if fresh && opened.outdated() {
                        // The new tablet takes the key under a lock as strong as a new one.
                        let (recipe, kek) = super::kek::fresh(recipe.secret, &typed)
                            .await
                            .ok_or(BackupError::NoCrypto)?;
                        opened.rewrap(&kek, recipe);
                    }
                    let device = if fresh {
                        None
                    } else {
                        Some(
                            holder::gen()
                                .map(DataKey::Held)
                                .ok_or(BackupError::Locked)?,
                        )
                    };
                    Ok(backup::plan(&kv, &opened, device.as_ref())?)
                }
                .await;
                busy.set(false);
                pin.set(String::new());
                match outcome {
                    Ok(plan) => {
                        summary.set(text::summary(lang, &plan.summary));
                        planned.set_value(Some(plan));
                        note.set(None);
                        step.set(Step::Confirm);
                    }
                    Err(Refusal::Lock(m)) => note.set(Some((true, m.text(lang).to_owned()))),
                    Err(Refusal::Backup(BackupError::WrongPin))
                        if asked.get_untracked() == Secret::Passphrase =>
                    {
                        note.set(Some((true, t(B::WrongPhrase).to_owned())))
                    }
                    Err(Refusal::Backup(e)) => fail(&e),
                }
            });
        }
    };

    let apply = move |_| {
        let Some((result, key)) =
            planned.with_value(|p| p.as_ref().map(|p| (backup::apply(&kv, p), p.key.clone())))
        else {
            return;
        };
        match result {
            Ok(()) => {
                if fresh {
                    holder::hold(&key);
                }
                planned.set_value(None);
                file.set_value(None);
                step.set(Step::Done);
                note.set(Some((false, t(B::Restored).to_owned())));
                if let Some(done) = done {
                    // The restored values on disk before the worker goes on.
                    super::journal::when_flushed(None, move || done.run(()));
                }
            }
            Err(e) => fail(&BackupError::from(e)),
        }
    };

    view! {
        <section class="restore" data-testid="restore" aria-labelledby="restore-title">
            <h2 id="restore-title">{t(B::RestoreTitle)}</h2>
            <p class="hint">{t(if fresh { B::RestoreNew } else { B::RestoreInUse })}</p>
            <label for="restore-file">{t(B::File)}</label>
            <input id="restore-file" type="file" data-testid="restore-file" on:change=picked />
            <form on:submit=open hidden=move || step.get() != Step::Pin>
                <p data-testid="restore-created">{move || text::made_at(lang, &created.get())}</p>
                <label for="restore-pin">{move || t(match asked.get() { Secret::Pin => B::Pin, Secret::Passphrase => B::Phrase })}</label>
                <input id="restore-pin" data-testid="restore-pin" type="password"
                    inputmode=move || match asked.get() { Secret::Pin => "numeric", Secret::Passphrase => "text" }
                    data-kind=move || match asked.get() { Secret::Pin => "pin", Secret::Passphrase => "phrase" }
                    autocomplete="off" autocapitalize="off" spellcheck="false"
                    prop:value=pin on:input=move |ev| pin.set(event_target_value(&ev)) />
                <button class="primary" type="submit" data-testid="restore-open" disabled=move || busy.get()>
                    {t(B::Open)}
                </button>
            </form>
            <div hidden=move || step.get() != Step::Confirm>
                <p data-testid="restore-summary">{move || summary.get()}</p>
                <button class="primary" data-testid="restore-apply" on:click=apply>{t(B::Apply)}</button>
            </div>
            {move || note.get().map(|(error, text)| view! {
                <p class=if error { "banner error" } else { "banner info" } role=if error { "alert" } else { "status" }
                    data-testid=if step.get() == Step::Done { "restore-done" } else { "restore-note" }>{text}</p>
            })}
        </section>
    }
}
