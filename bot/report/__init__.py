"""`report REGION` and `report national`: the regional return of seed 001 and the national
overview for ministers, drafted from the store as a .docx and an .xlsx."""
