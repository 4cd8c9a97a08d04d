// Validates Adaptive Cards with the official renderer (npm package `adaptivecards`): reads a JSON list of cards on
// stdin and prints, for each, the problems the renderer reports when parsing it at its declared version.
const AC = require("adaptivecards/dist/adaptivecards.js");
const cards = JSON.parse(require("fs").readFileSync(0, "utf8"));
const problems = cards.map((card) => {
  const context = new AC.SerializationContext(AC.Version.parse(card.version, new AC.SerializationContext()));
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const found = [];
  for (let i = 0; i < context.eventCount; i++) found.push(context.getEventAt(i).message);
  for (const event of parsed.validateProperties().validationEvents) found.push(event.message);
  return found;
});
console.log(JSON.stringify(problems));
