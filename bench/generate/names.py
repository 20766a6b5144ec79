"""Names, places and free-text pools for fictional patients and staff.

Every value is made up; the generator draws from these with a seeded `random.Random`."""

# fmt: off
GIVEN_NAMES = (
    "Aaliyah", "Aaron", "Abigail", "Adrian", "Aisha", "Alejandro", "Alex", "Alicia", "Amara",
    "Amir", "Ana", "Andre", "Angela", "Anthony", "Ari", "Ashley", "Ava", "Benjamin", "Bianca",
    "Brandon", "Brianna", "Caleb", "Camila", "Carlos", "Carmen", "Casey", "Chen", "Chloe",
    "Christopher", "Daniel", "Darius", "David", "Deja", "Destiny", "Diego", "Dmitri", "Elena",
    "Elijah", "Emily", "Emmanuel", "Erik", "Esperanza", "Ethan", "Fatima", "Felix", "Gabriel",
    "Grace", "Hannah", "Hector", "Ian", "Imani", "Isabel", "Jacob", "Jada", "Jamal", "James",
    "Jasmine", "Javier", "Jennifer", "Jessica", "Jordan", "Jose", "Joseph", "Joshua", "Juan",
    "Kayla", "Keisha", "Kenji", "Kevin", "Kiara", "Kyle", "Laura", "Leah", "Liam", "Lucia",
    "Luis", "Malik", "Marcus", "Maria", "Mariana", "Mason", "Matthew", "Maya", "Megan", "Mei",
    "Michael", "Miguel", "Mohammed", "Morgan", "Nadia", "Natalie", "Nathan", "Nia", "Noah",
    "Olivia", "Omar", "Patrick", "Priya", "Rachel", "Rafael", "Rebecca", "Ricardo", "Riley",
    "Robert", "Rosa", "Ryan", "Samantha", "Samuel", "Sara", "Sean", "Sofia", "Stephanie",
    "Taylor", "Terrence", "Thomas", "Tiana", "Tyler", "Valentina", "Victor", "Wei", "William",
    "Xavier", "Yasmin", "Zachary", "Zoe",
)
FAMILY_NAMES = (
    "Abbott", "Acosta", "Adams", "Aguilar", "Ahmed", "Alvarez", "Anderson", "Baker", "Banks",
    "Barnes", "Bell", "Bennett", "Brooks", "Brown", "Bryant", "Butler", "Campbell", "Carter",
    "Castillo", "Chavez", "Chen", "Clark", "Coleman", "Collins", "Cook", "Cooper", "Cruz",
    "Davis", "Delgado", "Diaz", "Dixon", "Edwards", "Ellis", "Evans", "Fernandez", "Fisher",
    "Flores", "Foster", "Garcia", "Gardner", "Garner", "Gibson", "Gomez", "Gonzalez", "Gordon",
    "Graham", "Gray", "Green", "Griffin", "Gutierrez", "Hall", "Hamilton", "Harris", "Hayes",
    "Henderson", "Hernandez", "Hill", "Holmes", "Howard", "Hughes", "Hunter", "Jackson", "James",
    "Jenkins", "Jimenez", "Johnson", "Jones", "Jordan", "Kelly", "Kennedy", "Khan", "Kim",
    "King", "Kowalski", "Lee", "Lewis", "Lin", "Long", "Lopez", "Marshall", "Martin",
    "Martinez", "Mendoza", "Meyer", "Miller", "Mitchell", "Moore", "Morales", "Morgan", "Morris",
    "Murphy", "Murray", "Myers", "Nguyen", "Nelson", "Novak", "O'Brien", "Okafor", "Olson",
    "Ortiz", "Owens", "Park", "Parker", "Patel", "Perez", "Perry", "Peterson", "Petrov",
    "Phillips", "Powell", "Price", "Ramirez", "Ramos", "Reed", "Reyes", "Reynolds", "Richardson",
    "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers", "Ross", "Russell", "Sanchez",
    "Sanders", "Schmidt", "Scott", "Shah", "Simmons", "Singh", "Smith", "Stewart", "Sullivan",
    "Tanaka", "Taylor", "Thomas", "Thompson", "Torres", "Tran", "Turner", "Vasquez", "Walker",
    "Wallace", "Wang", "Ward", "Washington", "Watson", "White", "Williams", "Wilson", "Wong",
    "Wood", "Wright", "Young", "Zhang",
)
STREETS = (
    "Maple", "Oak", "Cedar", "Pine", "Elm", "Walnut", "Chestnut", "Lake", "Hill", "River",
    "Spring", "Park", "Washington", "Lincoln", "Jefferson", "Madison", "Franklin", "Highland",
)
TOWNS = ("Springfield", "Riverton", "Fairview", "Lakeside", "Greenville", "Milford", "Salem")
# fmt: on
REFERRALS = (
    "Self",
    "Emergency department",
    "Primary care",
    "Family member",
    "Drug court",
    "Probation",
    "Hospital discharge",
    "Syringe services program",
)
REASONS = (
    "Daily fentanyl use, wants to stop.",
    "Heroin use, requests medication treatment.",
    "Prescription opioids after surgery, now buying pills.",
    "Referred after a non-fatal overdose.",
    "Relapse after a period of recovery.",
    "Transferring care from another program.",
    "Court referral; opioid use.",
    "Withdrawal symptoms, requests detox.",
)
LANGUAGES = (("English", 85), ("Spanish", 10), ("Vietnamese", 2), ("Arabic", 1), ("Russian", 2))
