//! The word lists the generated sandbox directory draws its names from.
//!
//! Places are regions, rivers, valleys and towns; surnames are founders'. Words that would
//! reproduce the name of a large real bank on their own (Huntington, Webster, Umpqua, Regions,
//! Valley National ...) are left out on purpose.

/// Regions, rivers, valleys and towns.
pub(super) const PLACES: &[&str] = &[
    "Abilene", "Adirondack", "Albany", "Allegheny", "Amarillo", "Androscoggin", "Appalachian",
    "Arbor", "Ashland", "Aspen", "Athens", "Augusta", "Aurora", "Bayou", "Beaver Valley",
    "Bedford", "Belmont", "Berkshire", "Big Sky", "Billings", "Birch Creek", "Bismarck",
    "Black Hills", "Blue Ridge", "Boise", "Bozeman", "Brazos", "Bridgeport", "Brookfield",
    "Buckeye", "Cache Valley", "Camden", "Canyon", "Cape Cod", "Carolina", "Carson Valley",
    "Cascade", "Catskill", "Cedar Rapids", "Champlain", "Chattahoochee", "Chesapeake",
    "Cheyenne", "Chisholm Trail", "Cimarron", "Clearwater", "Coastal", "Columbia River",
    "Concord", "Coos Bay", "Copper Country", "Cumberland", "Cuyahoga", "Dakota", "Davenport",
    "Delta", "Des Moines", "Door County", "Dubuque", "Eagle River", "Eau Claire", "Elkhorn",
    "Evergreen", "Fairfield", "Finger Lakes", "Flagstaff", "Flint Hills", "Fox Valley",
    "Franklin", "Frederick", "Galveston", "Gateway", "Genesee", "Grand Prairie",
    "Grand Valley", "Great Plains", "Green Mountain", "Greenville", "Gulf Coast",
    "Hampton Roads", "Harbor", "Hartford", "Heartland", "High Desert", "Highland",
    "Hill Country", "Housatonic", "Hudson Valley", "Huron", "Iron Range", "Jasper", "Juniata",
    "Kanawha", "Kaskaskia", "Kennebec", "Kettle Moraine", "Kitsap", "Klamath", "Lackawanna",
    "Lake Country", "Lakeland", "Lancaster", "Laramie", "Lehigh Valley", "Lexington",
    "Lowcountry", "Magnolia", "Mahoning", "Marquette", "Maumee", "Merrimack", "Mesa",
    "Miami Valley", "Mid-Hudson", "Midland", "Mississippi Valley", "Mohawk Valley",
    "Monadnock", "Monongahela", "Monterey Bay", "Mountain West", "Muskingum", "Mystic",
    "Napa Valley", "Narragansett", "Natchez", "New River", "North Country", "North Shore",
    "Northwoods", "Oak Ridge", "Ohio Valley", "Okanogan", "Olympic", "Oneida", "Orchard",
    "Osage", "Ouachita", "Ozark", "Pacific Crest", "Palmetto", "Panhandle", "Pee Dee",
    "Penobscot", "Piedmont", "Pikes Peak", "Pine Barrens", "Platte Valley", "Pocono",
    "Potomac", "Prairie", "Puget Sound", "Quad City", "Red River", "Redwood", "Rio Grande",
    "Riverbend", "Roanoke", "Rock Valley", "Rogue Valley", "Sabine", "Saco", "Saginaw",
    "Salt River", "San Joaquin", "Sandhills", "Santa Fe", "Saratoga", "Savannah", "Sawtooth",
    "Schuylkill", "Seneca", "Shenandoah", "Sierra", "Siouxland", "Skagit", "Smoky Mountain",
    "Snake River", "Sonoma", "Southern Tier", "Spokane", "Springfield", "Susquehanna",
    "Tallgrass", "Tamarack", "Teton", "Tidewater", "Timberland", "Tioga", "Treasure Valley",
    "Tri-County", "Tri-State", "Tuscarora", "Twin Rivers", "Upper Valley", "Wabash",
    "Wachusett", "Walla Walla", "Wasatch", "Washtenaw", "Westfield", "White Mountain",
    "Wichita", "Willamette", "Wind River", "Wiregrass", "Yakima", "Yellowstone", "Yosemite",
];

/// Founders' surnames, as in "Hollister Savings Bank".
pub(super) const SURNAMES: &[&str] = &[
    "Abbott", "Ainsworth", "Aldridge", "Ashby", "Atwood", "Bancroft", "Barlow", "Beckett",
    "Benning", "Blackwell", "Bradford", "Brewster", "Calloway", "Carrington", "Chamberlain",
    "Chandler", "Colby", "Crandall", "Crawford", "Dalton", "Danforth", "Delaney", "Dunmore",
    "Eastman", "Ellsworth", "Emerson", "Fairbanks", "Fenwick", "Fletcher", "Garrison",
    "Gilmore", "Goodwin", "Hadley", "Halloway", "Harmon", "Hastings", "Hawthorne", "Holbrook",
    "Hollister", "Huxley", "Ingram", "Jennings", "Kendall", "Kessler", "Kimball", "Langley",
    "Lathrop", "Lockwood", "Lowell", "Mabry", "Marsh", "Mayfield", "McAllister",
    "Merriweather", "Montague", "Morrow", "Nash", "Norcross", "Oakley", "Ogden", "Pemberton",
    "Pennington", "Prescott", "Quincy", "Radcliffe", "Ransom", "Redding", "Remington",
    "Rutledge", "Sayer", "Selby", "Sherwood", "Slater", "Stanton", "Stoddard", "Sutherland",
    "Talbot", "Thornton", "Tillman", "Townsend", "Underwood", "Vance", "Vaughn", "Wadsworth",
    "Walcott", "Waverly", "Wendell", "Whitaker", "Whitfield", "Winslow", "Woodbury", "Yates",
    "Yardley",
];

/// The words that open so many small-town bank names.
pub(super) const QUALITIES: &[&str] = &[
    "Citizens", "Farmers", "Merchants", "Peoples", "Heritage", "Pioneer", "Frontier",
    "Liberty", "Security", "Union", "Home", "Guaranty", "Century", "Summit", "Founders",
    "Patriot", "Commonwealth", "Landmark", "Cornerstone", "Crossroads", "Fidelity",
    "Integrity", "Premier", "Legacy", "Anchor", "Lighthouse", "Beacon", "Harvest", "Unity",
    "Alliance", "Granite", "Ironwood", "Meridian", "Mechanics", "Traders", "Planters",
    "Miners", "Drovers", "Exchange", "Farmers & Merchants", "Farmers & Traders",
];

/// Bank kinds that read well after a place or a surname ("Kennebec Savings Bank").
pub(super) const BANK_KINDS: &[&str] = &[
    "Bank", "State Bank", "National Bank", "Savings Bank", "Community Bank", "Bank & Trust",
    "Trust Company", "Federal Savings Bank", "Savings and Loan", "Cooperative Bank",
    "Mutual Savings Bank", "Building and Loan", "Bank and Trust Company", "Savings Institution",
];

/// Bank kinds that read well after a quality word ("Farmers State Bank"); a bare "Bank" would
/// too often be a real bank's name.
pub(super) const QUALIFIED_BANK_KINDS: &[&str] = &[
    "State Bank", "National Bank", "Savings Bank", "Bank & Trust", "Trust Company",
    "Federal Savings Bank", "Savings and Loan", "Community Bank", "Bank and Trust Company",
];

/// Credit union kinds, after a place ("Yakima Federal Credit Union").
pub(super) const CREDIT_UNION_KINDS: &[&str] = &[
    "Federal Credit Union", "Credit Union", "Community Credit Union", "Community Federal Credit Union",
];

/// Who a credit union serves, between place and kind ("Tioga Teachers Federal Credit Union").
pub(super) const MEMBERSHIPS: &[&str] = &[
    "Teachers", "Firefighters", "Police", "Postal", "Schools", "Educators", "Healthcare",
    "Telco", "Municipal Employees", "Railroad Employees", "Farm Bureau", "Area", "Employees",
    "Public Employees", "Hospital", "University",
];
