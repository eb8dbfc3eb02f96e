package anonymity

// The word lists of the number rules, lowercase; "*" makes a prefix.

// Words before a number that make it a phone number.
const phoneWords = `тел телефон* моб мобильн* сот сотов* phone* tel mob mobile cell whatsapp ватсап* вотсап* вацап* viber вайбер* telegram* телеграм* звонить позвонить контакт* contact* call связ*`

// Words before a number that make it a document number.
const documentWords = `
паспорт* passport* серия серии снилс инн иин пинфл pinfl iin пин полис полиса полисе полисом омс дмс медкарт*
карта карты карте карту картой карточк* история истории амбулаторн* свидетельств* удостоверени* ssn
social insurance policy mrn record records chart nhs medicare medicaid license licence id
`

// Words of an identity document, which a series belongs to ("паспорт
// серия 4506"); without one, a series is a product's batch.
const identityWords = `паспорт* passport* удостоверени* свидетельств* полис* id`

// Words before a number that make it a product's batch or lot, not a
// document: "серия 230415", "LOT 23C0412".
const batchWords = `серия серии партия партии лот lot batch exp годен годности`

// Words before a number that make it some identifier.
const numberWords = `номер* number num no nr`

// Units and counted nouns after a number: a quantity, not an identifier
// ("1 000 000 КОЕ/мл", "50-100-150 мг", "120 000 тенге").
const unitWords = `
кое cfu ме iu ед u мг mg г g мкг mcg µg кг kg мл ml л l мм mm см cm нм nm мкм µm дж j мдж mj вт w раз times
шт pcs копий copies клеток cells кл частиц particles тенге тг сум сом сомони руб рублей р usd kzt uzs kgs
мес лет years доз doses таб tab капс caps единиц units
`
