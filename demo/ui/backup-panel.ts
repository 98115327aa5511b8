/** The "Backup" card: download the whole database as JSON lines, restore one from a file. */
import { byId } from './dom.js';

export class BackupPanel {
  readonly #download = byId('backup-download', HTMLButtonElement);
  readonly #restore = byId('backup-restore', HTMLButtonElement);
  readonly #file = byId('backup-file', HTMLInputElement);
  readonly #result = byId('backup-result', HTMLParagraphElement);

  constructor(handlers: { onDownload: () => void; onRestore: (file: File) => void }) {
    this.#download.addEventListener('click', handlers.onDownload);
    this.#restore.addEventListener('click', () => this.#file.click());
    this.#file.addEventListener('change', () => {
      const file = this.#file.files?.[0];
      // Cleared so that choosing the same file again fires `change` again.
      this.#file.value = '';
      if (file) handlers.onRestore(file);
    });
  }

  setEnabled(enabled: boolean): void {
    this.#download.disabled = !enabled;
    this.#restore.disabled = !enabled;
  }

  /** Hands `blob` to the browser as a download named `name`. */
  save(blob: Blob, name: string): void {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  message(text: string): void {
    this.#result.textContent = text;
  }
}
