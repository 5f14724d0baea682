// Upload each chosen file to the write API with the token typed in the form, and list what happened to it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload");
  if (!form) return;
  const results = document.getElementById("upload-results");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = form.elements.token.value.trim();
    for (const file of form.elements.file.files) {
      const item = document.createElement("li");
      item.textContent = `${file.name}: uploading…`;
      results.appendChild(item);
      const body = new FormData();
      body.append("file", file, file.name);
      try {
        const response = await fetch(form.dataset.endpoint, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}` },
          body,
        });
        const data = await response.json();
        item.textContent = "";
        item.className = response.ok ? "done" : "failed";
        if (!response.ok && data.error) {
          item.textContent = `${file.name}: ${data.error.message}`;
          continue;
        }
        const added = [...(data.added || []), ...(data.updated || [])];
        item.append(`${file.name}: ${added.length} stored, ${(data.unchanged || []).length} unchanged, ${(data.skipped || []).length} skipped `);
        for (const id of added) {
          const link = document.createElement("a");
          link.href = `/documents/${encodeURIComponent(id)}`;
          link.textContent = id;
          item.append(link, " ");
        }
        for (const problem of data.skipped || []) item.append(`(${problem.reason}) `);
      } catch (error) {
        item.className = "failed";
        item.textContent = `${file.name}: ${error}`;
      }
    }
  });
});
