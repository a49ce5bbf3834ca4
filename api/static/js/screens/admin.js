// PLACEHOLDER until the screen is built: replaced before this is called done.
import { el, fill, t } from "../core.js";

export default {
  path: "#/admin",
  nav: false,
  roles: ["brand", "brand_lead", "legal", "director", "admin"],
  title: () => "admin",
  render(root) {
    fill(root, el("p", { class: "empty" }, t("empty")));
  },
};
