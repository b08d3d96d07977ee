"""What councils type into a return: the generality test's vocabulary, written from practice.

Broader than, and different from, anything the reader matches against: a dozen and more ways
to say "total number of care homes", the LA field and the contact; column headers; action
labels cut short, reworded and abbreviated; Yes/No as ticks, crosses, checkboxes and words.
"""

from __future__ import annotations

from tests.sheet_writers import Value

TOTAL_LABELS = [
    "Total number of CQC registered care homes in your area", "Total care homes",
    "Number of care homes in the LA area", "How many care homes are there in your area?",
    "No. of CQC-registered care homes", "Care homes in area (total)", "Total no. of homes",
    "Total number of registered care homes (CQC)", "CQC registered care homes - total",
    "Count of care homes in the borough", "Total care home settings",
    "Overall number of care homes locally", "Total CQC registered homes in county",
    "Registered care homes in our area", "TOTAL HOMES", "Care homes (total number)",
    "Total number of residential and nursing homes", "Number of CQC registered homes",
    "Total registered care homes", "How many CQC registered care homes?",
]
LA_LABELS = [
    "Local authority", "Local Authority:", "Local authority name", "Council", "Name of council",
    "LA", "LA name", "Authority", "Name of local authority", "Council name:",
    "Local Authority (LA)", "Organisation", "Submitting authority", "Name of Local Authority",
    "Reporting council", "Local authority area",
]
CONTACT_LABELS = [
    "The contact person for this return is:", "Contact", "Contact name", "Contact details",
    "Completed by", "Lead officer", "Name of person completing", "Return completed by",
    "Prepared by", "Main contact for this return", "Person completing this return",
    "Contact for queries", "Contact officer",
]
HOMES_HEADERS = [
    "*Number of Care Homes (Please see note above)", "No. of homes", "Number of care homes",
    "Homes with action in place", "Number of care homes where in place", "Care homes (number)",
    "How many homes?", "Count of homes", "No of Care Homes", "Homes in place",
]
SUPPORT_HEADERS = [
    "Would additional support be helpful to progress implementation further? (Yes/No) If Yes, "
    "please offer a brief description of the type of support that would be helpful",
    "Additional support needed? Y/N", "Support required (Y/N)", "Further support helpful?",
    "Would more support help? (Yes/No)", "Need additional support?", "Extra support wanted (Y/N)",
]
ISSUES_HEADERS = [
    "Please indicate any issues that you would like to highlight (optional)", "Issues",
    "Any issues to highlight", "Comments / issues", "Issues (optional)", "Local issues",
]
ACTION_HEADERS = ["Key COVID19 Support Actions for Care Homes", "Action", "Support action",
                  "Actions", "Key support actions", "Measure"]
TITLES = ["COVID19 Care Home Support > Implementation Status", "Care home support template",
          "Support implementation status", "Local care home support plan - template",
          "Care Home Support Return (May 2020)"]
SHORT_LABELS = {
    "1.1": "Cohorting / isolation", "1.2": "Staff movement", "1.3": "IPC support (community)",
    "2.1": "Testing - everyone", "2.2": "Discharge testing", "3.1": "PPE", "3.2": "Equipment",
    "4.1": "PPE training", "4.2": "Equipment training", "4.3": "Test kit training",
    "4.4": "IPC training", "4.5": "Extra capacity", "5.1": "Clinical lead",
    "5.2": "Mutual aid",
}
REWORDINGS = [("Access to", "Homes have access to"), ("Support for", "Support provided for"),
              ("appropriate", "adequate"), (" and/or ", " or "), ("Measures to reduce", "Reducing"),
              ("residents", "service users"), ("care homes", "homes"), ("Named", "A named")]
YES: list[Value] = ["Yes", "Y", "yes", "YES", "Yes - more PPE", "Yes: extra testing capacity", "Yes.",
       "y - training", True, "\u2713", "\u2714", "\u2611", "Yes \u2013 mutual aid"]
NO: list[Value] = ["No", "N", "no", "NO", "No.", "Not required", "None needed", "no thanks", False,
      "\u2717", "\u2612", "x", "X", "Not at this time"]
PLAIN = {"\u2713": "Yes", "\u2714": "Yes", "\u2611": "Yes", "\u2717": "No", "\u2612": "No"}
NOTES = ["Figures from the Capacity Tracker, 20 May", "NB: nursing homes included",
         "See covering letter", "Draft figures agreed with CCG"]
WRITERS = ["xlsx", "xlsxwriter", "xls", "ods", "csv-utf-8", "csv-utf-8-sig", "csv-cp1252"]
