//! The project key's backup (in the workspace module, under Projects): download a project's
//! secret key sealed under a passphrase, and restore one on another computer. The file's
//! format and checks are `export::key_file`; the passphrase goes through WebCrypto's PBKDF2.

use super::browser;
use crate::export::key_file::{self, KeyFileError};
use crate::export::Project;
use crate::i18n::projects::PrMsg;
use crate::i18n::Lang;
use crate::store::local::LocalStore;
use crate::store::{ProjectBook, StoreError};
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Note {
    Ok(String),
    Problem(String),
}

fn book() -> Result<ProjectBook<LocalStore>, StoreError> {
    LocalStore::open().map(ProjectBook::new)
}

/// PBKDF2 of the passphrase, as a key file names it.
async fn kek(passphrase: &str, salt: &[u8], rounds: u32) -> Option<zeroize::Zeroizing<[u8; 32]>> {
    let bytes =
        zeroize::Zeroizing::new(super::handover::derive(passphrase.trim(), salt, rounds).await?);
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    out.copy_from_slice(bytes.get(..32)?);
    Some(out)
}

fn file_name(p: &Project) -> String {
    format!("doorstep-project-key-{}.json", super::projects::slug(p))
}

/// `projects`: the workspace's list, refreshed when a restore adds one.
#[component]
pub fn KeyPanel(
    lang: Lang,
    projects: RwSignal<Vec<Project>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let p = move |m: PrMsg| m.get(lang);
    let note = RwSignal::new(None::<Note>);
    let chosen = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let restore_text = RwSignal::new(None::<String>);
    let restore_pass = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem =
        move |e: KeyFileError| note.set(Some(Note::Problem(e.describe().get(lang).to_owned())));
    let store_problem = move |e: StoreError| {
        note.set(Some(Note::Problem(format!(
            "{}{e}",
            PrMsg::NotSaved.get(lang)
        ))))
    };
    // Projects whose key this browser holds: what can be backed up.
    // Read (and decrypted) once per change of the list, not at every redraw.
    let held = Memo::new(move |_| -> Vec<Project> {
        let Ok(b) = book() else { return Vec::new() };
        projects.with(|ps| {
            ps.iter()
                .filter(|x| {
                    b.secret(&x.id)
                        .ok()
                        .flatten()
                        .is_some_and(|s| x.public_key.as_deref() == Some(s.public_hex().as_str()))
                })
                .cloned()
                .collect()
        })
    });

    let backup = move |_| {
        let (a, b) = (pass.get_untracked(), again.get_untracked());
        if a != b || !key_file::passphrase_ok(&a) {
            return problem(KeyFileError::ShortPassphrase);
        }
        let id = chosen.get_untracked();
        let held = held.get_untracked();
        let Some(project) = held
            .iter()
            .find(|x| x.id == id)
            .or_else(|| held.first())
            .cloned()
        else {
            return;
        };
        let secret = match book().and_then(|b| b.secret(&project.id)) {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => return store_problem(e),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let mut salt = [0u8; 16];
            let mut nonce = [0u8; 12];
            crate::vault::random(&mut salt);
            crate::vault::random(&mut nonce);
            if let Some(k) = kek(&a, &salt, key_file::ROUNDS).await {
                let text = key_file::write(&project, &secret, &k, &salt, nonce);
                browser::download(&file_name(&project), &text, "application/json");
                pass.set(String::new());
                again.set(String::new());
                note.set(Some(Note::Ok(format!("{}{}", p(PrMsg::KeyBackup), " ✓"))));
            }
            busy.set(false);
        });
    };

    let picked = move |ev: leptos::ev::Event| {
        let Some(file) = browser::picked_files(&ev).into_iter().next() else {
            return;
        };
        leptos::task::spawn_local(async move {
            restore_text.set(Some(browser::file_text(file).await.unwrap_or_default()));
        });
    };
    let restore = move |_| {
        let Some(text) = restore_text.get_untracked() else {
            return;
        };
        let file = match key_file::read(&text) {
            Ok(f) => f,
            Err(e) => return problem(e),
        };
        let passphrase = restore_pass.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let opened = match kek(&passphrase, &file.salt, file.rounds).await {
                Some(k) => file.open(&k),
                None => Err(KeyFileError::WrongPassphrase),
            };
            busy.set(false);
            let secret = match opened {
                Ok(s) => s,
                Err(e) => return problem(e),
            };
            let Ok(b) = book() else { return };
            // The project this browser holds already wins its settings; its key must match.
            let project = match b.get(&file.project.id) {
                Ok(Some(mine)) if mine.public_key != file.project.public_key => {
                    return note.set(Some(Note::Problem(p(PrMsg::KeyOtherKey).into())))
                }
                Ok(Some(mine)) => mine,
                _ => file.project.clone(),
            };
            if let Err(e) = b
                .save_secret(&project, &secret)
                .and_then(|()| b.save(&project))
            {
                return store_problem(e);
            }
            restore_pass.set(String::new());
            note.set(Some(Note::Ok(format!(
                "{}{}",
                p(PrMsg::KeyRestored),
                project.name
            ))));
            refresh.run(());
        });
    };

    view! {
        <details class="ws-keys" data-testid="ws-keys">
            <summary>{p(PrMsg::KeyTitle)}</summary>
            <p class="note">{p(PrMsg::KeyHelp)}</p>
            <div class="project-form" hidden=move || held.with(Vec::is_empty)>
                <select data-testid="ws-key-project" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {move || held.get().into_iter().map(|x| view! { <option value=x.id.clone()>{x.name.clone()}</option> }).collect_view()}
                </select>
                <label>{p(PrMsg::KeyPass)}
                    <input type="password" autocomplete="new-password" data-testid="ws-key-pass" prop:value=pass on:input=move |ev| pass.set(event_target_value(&ev)) />
                </label>
                <label>{p(PrMsg::KeyPassAgain)}
                    <input type="password" autocomplete="new-password" data-testid="ws-key-pass-again" prop:value=again on:input=move |ev| again.set(event_target_value(&ev)) />
                </label>
                <button class="button" data-testid="ws-key-backup" disabled=move || busy.get() on:click=backup>{p(PrMsg::KeyBackup)}</button>
            </div>
            <div class="project-form">
                <label class="button file">{p(PrMsg::KeyRestore)}
                    <input type="file" accept=".json,application/json" data-testid="ws-key-file" on:change=picked />
                </label>
                <label>{p(PrMsg::KeyPass)}
                    <input type="password" autocomplete="off" data-testid="ws-key-restore-pass" prop:value=restore_pass on:input=move |ev| restore_pass.set(event_target_value(&ev)) />
                </label>
                <button class="button" data-testid="ws-key-restore" disabled=move || busy.get() || restore_text.with(Option::is_none) on:click=restore>{p(PrMsg::KeyRestore)}</button>
            </div>
            {move || note.get().map(|n| match n {
                Note::Ok(t) => view! { <p class="banner ok" role="status" data-testid="ws-key-note">{t}</p> }.into_any(),
                Note::Problem(t) => view! { <p class="banner error" role="alert" data-testid="ws-key-note">{t}</p> }.into_any(),
            })}
        </details>
    }
}
