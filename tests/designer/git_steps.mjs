// Browser steps of the Git dialog, run by designer_steps.mjs once its new location has the saved instance:
// one changed file unticked (its diff leaves the Diff), the rest committed with a message, the unticked file
// still listed as changed afterwards with no stale error; a new branch created and shown current; a switch back
// confirmed, then refused in words because of that uncommitted file.
const SLOW = 240_000;

export async function gitSteps({ page, step, locationName, console_, instance }) {
  const dialog = page.getByRole("dialog", { name: `Git: ${locationName}` });
  const listed = () => dialog.locator(".git-changes li[data-path]").evaluateAll((items) => items.map((item) => item.dataset.path));
  const message = `Designer: ${instance} in ${locationName}`;
  let unticked = "";

  await step("commit", async () => {
    await page.getByRole("button", { name: "Git" }).click();
    await dialog.locator(`.git-changes li[data-path*="${instance}/"]`).first().waitFor({ timeout: SLOW });
    const before = await listed();
    if (before.length < 2) throw new Error(`a change set needs two changed files, the dialog lists ${before.join(", ")}`);
    // untick a file of the scaffold, not the instance's: the instance's YAML is in the diff still
    unticked = [...before].reverse().find((path) => !path.includes(instance)) ?? before[before.length - 1];
    await dialog.getByRole("checkbox", { name: `Commit ${unticked}` }).uncheck();
    const diff = (await dialog.getByLabel("Diff").textContent()) ?? "";
    if (diff.includes(`b/${unticked}\n`)) throw new Error(`the diff still shows the unticked ${unticked}`);
    if (!diff.includes(instance)) throw new Error(`the diff lacks the ticked ${instance} files`);
    const commitButton = dialog.getByRole("button", { name: "Commit", exact: true });
    if (await commitButton.isEnabled()) throw new Error("Commit is enabled without a message");
    const reasonWithoutMessage = await dialog.locator("#git-commit-blocker").textContent();
    await dialog.getByLabel("Commit message").fill(message);
    await commitButton.click();
    await page.locator(".notice").getByText(`Committed ${before.length - 1} file(s) of ${locationName}`).waitFor({ timeout: SLOW });
    await page.waitForFunction(
      (path) => [...document.querySelectorAll(".git-changes li[data-path]")].map((item) => item.dataset.path).join("\n") === path,
      unticked,
      { timeout: SLOW },
    );
    const error = (await dialog.getByRole("alert", { name: "Commit error" }).textContent()) ?? "";
    if (error.trim()) throw new Error(`a stale error after the commit: ${error}`);
    return { message, unticked, committed: before.filter((path) => path !== unticked), stillListed: await listed(), reasonWithoutMessage };
  });

  let previous = "";
  const branch = `designer-${locationName}`;
  await step("git-new-branch", async () => {
    const current = dialog.getByTestId("git-current-branch");
    await current.filter({ hasNotText: "loading…" }).waitFor();
    previous = ((await current.textContent()) ?? "").trim();
    await dialog.getByLabel("New branch").fill(branch);
    await dialog.getByRole("button", { name: "Create branch" }).click();
    await current.filter({ hasText: branch }).waitFor({ timeout: SLOW });
    const selected = await dialog.getByLabel("Switch to branch").inputValue();
    if (selected !== branch) throw new Error(`the branch select shows ${selected}, not ${branch}`);
    return { branch, previous, shown: (await current.textContent())?.trim() };
  });

  await step("git-switch-refused", async () => {
    // the file left out of the commit is uncommitted: switching back is asked, then refused, the branch kept
    console_.expectHttpErrors = true;
    let question = "";
    page.once("dialog", (asked) => {
      question = asked.message();
      void asked.accept();
    });
    await dialog.getByLabel("Switch to branch").selectOption(previous);
    const refusal = dialog.getByRole("alert", { name: "Branch error" });
    await refusal.getByText(/uncommitted/).waitFor({ timeout: SLOW });
    console_.expectHttpErrors = false;
    const current = ((await dialog.getByTestId("git-current-branch").textContent()) ?? "").trim();
    if (current !== branch) throw new Error(`the current branch is ${current} after a refused switch`);
    const text = (await refusal.textContent()) ?? "";
    await dialog.getByRole("button", { name: "Close" }).click();
    return { question, refusal: text, current };
  });
}
