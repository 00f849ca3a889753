// Keeps the release banner true after newer releases appear. Each page is built with the
// banner that was right at build time; a version folder deployed earlier and never rebuilt
// would still say it is current. The site's versions.json is always the newest, so it is read
// here: if it names a newer latest release, or a withdrawal, the banner says so and links to
// the same page there. Nothing is fetched from another host.
const box = document.getElementById("nen-banners");

async function update() {
  if (!box) return;
  const root = new URL(box.dataset.root, location.href);
  const response = await fetch(new URL("versions.json", root));
  if (!response.ok) return;
  const versions = await response.json();
  const self = versions.find((entry) => entry.version === box.dataset.version);
  const latest = versions.find((entry) => entry.aliases.includes("latest"));
  const withdrawn = self?.properties?.status === "withdrawn" && box.dataset.status !== "withdrawn";
  const shown = box.querySelector(".nen-banner[data-target]");
  const superseded = latest && self && latest.version !== self.version &&
    box.dataset.status === "published" && shown?.dataset.target !== latest.version;
  if (!withdrawn && !superseded) return;
  shown?.remove(); // built when an older release was the latest
  const banner = document.createElement("p");
  banner.setAttribute("role", "note");
  const strong = document.createElement("strong");
  if (withdrawn) {
    banner.className = "nen-banner nen-banner--withdrawn";
    strong.textContent = `Withdrawn on ${self.properties.withdrawn}.`;
    banner.append(strong, ` ${self.properties.withdrawn_reason} `);
  } else {
    banner.className = "nen-banner nen-banner--superseded";
    strong.textContent = `Superseded by version ${latest.version}.`;
    banner.append(strong, " ");
  }
  if (latest && latest.version !== self?.version) {
    const link = document.createElement("a");
    link.className = "nen-banner__link";
    link.textContent = `Read this page in version ${latest.version}`;
    const samePage = new URL(`${latest.version}/${box.dataset.page}`, root);
    link.href = (await fetch(samePage, { method: "HEAD" })).ok ? samePage : new URL(`${latest.version}/`, root);
    banner.append(link);
  }
  box.prepend(banner);
}

update().catch(() => {}); // the printed banner stays as built
