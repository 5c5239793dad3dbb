/** Adjectives for generated run ids (modelled on Docker's names-generator; lowercase a-z only). */
export const RUN_ID_ADJECTIVES: readonly string[] = [
  "admiring", "adoring", "affectionate", "agitated", "amazing", "amused", "ardent", "awesome",
  "beautiful", "blazing", "blissful", "bold", "brave", "bright", "brilliant", "busy", "calm",
  "charming", "cheerful", "citric", "clever", "compassionate", "competent", "confident", "cool",
  "courageous", "cranky", "curious", "dazzling", "determined", "diligent", "dreamy", "eager",
  "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic", "exciting", "fervent", "festive",
  "flamboyant", "focused", "friendly", "frosty", "funny", "gallant", "gentle", "gifted", "glossy",
  "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful", "humble", "hungry",
  "infallible", "inspiring", "intelligent", "interesting", "jolly", "jovial", "keen", "kind",
  "laughing", "lively", "loving", "lucid", "magical", "merry", "modest", "musing", "mystifying",
  "nifty", "nimble", "noble", "nostalgic", "objective", "optimistic", "patient", "peaceful",
  "pedantic", "pensive", "playful", "practical", "priceless", "quiet", "quirky", "quizzical",
  "radiant", "recursing", "relaxed", "reverent", "romantic", "serene", "sharp", "silly", "sleepy",
  "smiling", "snappy", "stoic", "strange", "sunny", "sweet", "swift", "tender", "thirsty",
  "tranquil", "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous", "vivid",
  "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
];

/** Surnames of scientists and engineers for generated run ids (Docker's list; lowercase a-z only). */
export const RUN_ID_SURNAMES: readonly string[] = [
  "agnesi", "albattani", "allen", "almeida", "antonelli", "archimedes", "ardinghelli", "aryabhata",
  "austin", "babbage", "banach", "bardeen", "bartik", "bassi", "beaver", "bell", "benz", "bhabha",
  "bhaskara", "black", "blackburn", "blackwell", "bohr", "booth", "borg", "bose", "bouman", "boyd",
  "brahmagupta", "brattain", "brown", "buck", "burnell", "cannon", "carson", "cartwright", "carver",
  "cerf", "chandrasekhar", "chaplygin", "chatelet", "chatterjee", "chebyshev", "clarke", "cohen",
  "colden", "cori", "cray", "curie", "darwin", "davinci", "dewdney", "dhawan", "diffie", "dijkstra",
  "dirac", "driscoll", "dubinsky", "easley", "edison", "einstein", "elbakyan", "elgamal", "elion",
  "ellis", "engelbart", "euclid", "euler", "faraday", "feistel", "fermat", "fermi", "feynman",
  "franklin", "gagarin", "galileo", "galois", "ganguly", "gauss", "germain", "goldberg",
  "goldstine", "goldwasser", "golick", "goodall", "gould", "greider", "grothendieck", "haibt",
  "hamilton", "haslett", "hawking", "heisenberg", "hellman", "hermann", "herschel", "hertz",
  "heyrovsky", "hodgkin", "hofstadter", "hoover", "hopper", "hugle", "hypatia", "ishizaka",
  "jackson", "jang", "jemison", "jennings", "jepsen", "johnson", "joliot", "jones", "kalam",
  "kapitsa", "kare", "keldysh", "keller", "kepler", "khayyam", "khorana", "kilby", "kirch", "knuth",
  "kowalevski", "lalande", "lamarr", "lamport", "leakey", "leavitt", "lederberg", "lehmann",
  "lewin", "lichterman", "liskov", "lovelace", "lumiere", "mahavira", "margulis", "matsumoto",
  "maxwell", "mayer", "mccarthy", "mcclintock", "mclaren", "mclean", "mcnulty", "meitner",
  "mendel", "mendeleev", "meninsky", "merkle", "mestorf", "mirzakhani", "montalcini", "moore",
  "morse", "moser", "murdock", "napier", "nash", "neumann", "newton", "nightingale", "nobel",
  "noether", "northcutt", "noyce", "panini", "pare", "pascal", "pasteur", "payne", "perlman",
  "pike", "poincare", "poitras", "ptolemy", "raman", "ramanujan", "rhodes", "ride", "ritchie",
  "robinson", "roentgen", "rosalind", "rubin", "saha", "sammet", "sanderson", "shamir", "shannon",
  "shaw", "shirley", "shockley", "sinoussi", "snyder", "solomon", "spence", "stonebraker",
  "sutherland", "swanson", "swartz", "swirles", "taussig", "tesla", "tharp", "thompson", "torvalds",
  "turing", "varahamihira", "vaughan", "villani", "visvesvaraya", "volhard", "wescoff", "wilbur",
  "wiles", "williams", "williamson", "wilson", "wing", "wozniak", "wright", "wu", "yalow", "yonath",
  "zhukovsky",
];

/** Longest run id accepted (it becomes a folder and file name). */
export const MAX_RUN_ID_LENGTH = 128;

const pick = (words: readonly string[], random: () => number): string => {
  const index = Math.min(words.length - 1, Math.max(0, Math.floor(random() * words.length)));
  return words[index] ?? "run";
};

/** A fresh run id `<adjective>-<surname>-<HHMM>` (local hour and minute of `now`), as runnable makes them. */
export function generateRunId(now: Date, random: () => number): string {
  const hhmm = `${String(now.getHours()).padStart(2, "0")}${String(now.getMinutes()).padStart(2, "0")}`;
  return `${pick(RUN_ID_ADJECTIVES, random)}-${pick(RUN_ID_SURNAMES, random)}-${hhmm}`;
}

/** How to write a run id (for messages about a bad one). */
export const RUN_ID_HINT = 'a run id is up to 128 letters, digits, ".", "_" and "-", e.g. train-2024-06-01; omit --run-id to get a generated one';

/** Why `id` cannot be a run id (it names folders and files), or undefined when it is fine. */
export function validateRunId(id: string): string | undefined {
  if (id === "") return "a run id cannot be empty";
  if (id.length > MAX_RUN_ID_LENGTH) {
    return `run id "${id.slice(0, 20)}..." is ${id.length} characters long; at most ${MAX_RUN_ID_LENGTH} are allowed`;
  }
  const bad = /[^A-Za-z0-9._-]/.exec(id);
  if (bad) {
    return `run id "${id}" contains "${bad[0]}"; use only letters, digits, ".", "_" and "-"`;
  }
  if (id.startsWith(".") || id.startsWith("-")) return `run id "${id}" cannot start with "." or "-"`;
  return undefined;
}
