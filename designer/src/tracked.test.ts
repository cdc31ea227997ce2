import { afterEach, describe, expect, it, vi } from "vitest";

import { tracked, useDesigner } from "./store";

describe("tracked", () => {
  afterEach(() => vi.useRealTimers());

  it("shows a write in the busy indicator only once it has taken over 300 ms, and clears it after", async () => {
    vi.useFakeTimers();
    let finish: (value: string) => void = () => {};
    const write = tracked("Deleting a…", () => new Promise<string>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(299);
    expect(useDesigner.getState().busy).toBeNull();
    await vi.advanceTimersByTimeAsync(2);
    expect(useDesigner.getState().busy).toBe("Deleting a…");
    finish("done");
    expect(await write).toBe("done");
    expect(useDesigner.getState().busy).toBeNull();
  });

  it("never shows a quick write, and clears the indicator when the write fails", async () => {
    vi.useFakeTimers();
    await expect(tracked("Saving…", () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    await vi.advanceTimersByTimeAsync(1000);
    expect(useDesigner.getState().busy).toBeNull();
  });
});
