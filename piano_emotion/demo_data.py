"""Spanish word lists for the demo data (names, places, pianos, prices).

Only data lives here; ``piano_emotion.demo`` decides how it is combined.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from piano_emotion.models.enums import (
    InventoryCategory,
    PianoCategory,
    PianoType,
    ServiceType,
)

# --- People -----------------------------------------------------------------

# Names of the demo technicians; beyond 12 the first names are reused.
TECHNICIAN_NAMES: tuple[str, ...] = (
    "Laura Sánchez",
    "Javier Moreno",
    "Carmen Ruiz",
    "Miguel Ángel Torres",
    "Elena Navarro",
    "Pablo Herrera",
    "Marta Iglesias",
    "Sergio Castro",
    "Nuria Vidal",
    "Alberto Prieto",
    "Lucía Ortega",
    "Andrés Muñoz",
)

# fmt: off
FEMALE_NAMES: tuple[str, ...] = (
    "María", "Carmen", "Ana", "Isabel", "Laura", "Lucía", "Marta", "Cristina", "Pilar", "Elena",
    "Paula", "Sara", "Raquel", "Rocío", "Beatriz", "Sofía", "Inés", "Nuria", "Julia", "Teresa",
    "Patricia", "Rosa", "Silvia", "Mercedes", "Montserrat", "Begoña", "Ainhoa", "Irene", "Alba",
    "Noelia", "Consuelo", "Ángela", "Mónica", "Natalia", "Claudia", "Eva", "Lourdes",
    "Verónica", "Marina", "Adriana", "Blanca", "Almudena", "Yolanda", "Susana", "Inmaculada",
    "María José", "María del Carmen", "Ana Belén", "María Jesús", "Nerea",
)
# fmt: on

# fmt: off
MALE_NAMES: tuple[str, ...] = (
    "Antonio", "José", "Manuel", "Francisco", "David", "Juan", "Javier", "Daniel", "Carlos",
    "Jesús", "Alejandro", "Miguel", "Rafael", "Pedro", "Pablo", "Sergio", "Fernando", "Jorge",
    "Luis", "Alberto", "Álvaro", "Adrián", "Diego", "Raúl", "Enrique", "Ramón", "Vicente",
    "Andrés", "Joaquín", "Íñigo", "Óscar", "Rubén", "Ignacio", "Gonzalo", "Martín", "Hugo",
    "Marcos", "Víctor", "Tomás", "Jaime", "Julián", "Germán", "Agustín", "Nicolás", "Emilio",
    "José Luis", "Juan Carlos", "Miguel Ángel", "José Antonio", "Francisco Javier",
)
# fmt: on

# fmt: off
SURNAMES: tuple[str, ...] = (
    "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
    "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos",
    "Gil", "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado",
    "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Núñez", "Iglesias", "Medina", "Garrido",
    "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto", "Méndez", "Cruz",
    "Calvo", "Gallego", "Vidal", "León", "Márquez", "Herrera", "Peña", "Flores", "Cabrera",
    "Campos", "Vega", "Fuentes", "Carrasco", "Díez", "Caballero", "Reyes", "Nieto", "Aguilar",
    "Pascual", "Santana", "Herrero", "Lorenzo", "Montero", "Hidalgo", "Giménez", "Ibáñez",
    "Ferrer", "Durán", "Santiago", "Benítez", "Mora", "Vicente", "Vargas", "Arias", "Carmona",
    "Crespo", "Román", "Pastor", "Soto", "Sáez", "Velasco", "Moya", "Soler", "Parra", "Esteban",
    "Bravo", "Gallardo", "Rojas", "Echeverría", "Goikoetxea", "Castaño", "Quiñones",
    "Villalobos",
)
# fmt: on

# Client email addresses use the RFC 2606 example domains on purpose: a demo
# loaded on a server with SMTP configured must never mail a real person.
CLIENT_EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("example.com", 55),
    ("example.net", 25),
    ("example.org", 20),
)

# --- Places ---------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    region: str  # province
    postal_codes: tuple[int, int]  # first and last postal code (inclusive)
    latitude: float
    longitude: float
    phone_prefix: str  # landline prefix of the province
    weight: int = 4


@dataclass(frozen=True)
class Area:
    """Where a technician works: a main city and its surroundings."""

    name: str
    cities: tuple[City, ...]


AREAS: tuple[Area, ...] = (
    Area(
        "Madrid",
        (
            City("Madrid", "Madrid", (28001, 28055), 40.4168, -3.7038, "91", 55),
            City("Alcalá de Henares", "Madrid", (28801, 28807), 40.4820, -3.3635, "91"),
            City("Móstoles", "Madrid", (28931, 28938), 40.3223, -3.8649, "91"),
            City("Getafe", "Madrid", (28901, 28909), 40.3057, -3.7329, "91"),
            City("Leganés", "Madrid", (28911, 28919), 40.3272, -3.7635, "91"),
            City("Alcobendas", "Madrid", (28100, 28109), 40.5475, -3.6420, "91"),
            City("Pozuelo de Alarcón", "Madrid", (28223, 28224), 40.4350, -3.8137, "91"),
            City("Las Rozas de Madrid", "Madrid", (28230, 28232), 40.4929, -3.8737, "91"),
            City("Majadahonda", "Madrid", (28220, 28222), 40.4733, -3.8722, "91"),
            City("Alcorcón", "Madrid", (28921, 28925), 40.3458, -3.8249, "91"),
            City("San Sebastián de los Reyes", "Madrid", (28700, 28703), 40.5474, -3.6261, "91"),
            City("Boadilla del Monte", "Madrid", (28660, 28669), 40.4050, -3.8783, "91", 2),
            City("Collado Villalba", "Madrid", (28400, 28400), 40.6350, -4.0050, "91", 2),
            City("Aranjuez", "Madrid", (28300, 28300), 40.0318, -3.6046, "91", 2),
            City("Guadalajara", "Guadalajara", (19001, 19005), 40.6329, -3.1669, "949", 3),
            City("Toledo", "Toledo", (45001, 45008), 39.8628, -4.0273, "925", 3),
        ),
    ),
    Area(
        "Barcelona",
        (
            City("Barcelona", "Barcelona", (8001, 8042), 41.3874, 2.1686, "93", 55),
            City("L'Hospitalet de Llobregat", "Barcelona", (8901, 8908), 41.3596, 2.0998, "93"),
            City("Badalona", "Barcelona", (8911, 8918), 41.4500, 2.2474, "93"),
            City("Terrassa", "Barcelona", (8221, 8228), 41.5632, 2.0089, "93"),
            City("Sabadell", "Barcelona", (8201, 8208), 41.5463, 2.1086, "93"),
            City("Mataró", "Barcelona", (8301, 8304), 41.5381, 2.4447, "93"),
            City("Sant Cugat del Vallès", "Barcelona", (8172, 8174), 41.4722, 2.0864, "93"),
            City("Granollers", "Barcelona", (8400, 8403), 41.6079, 2.2876, "93", 2),
            City("Castelldefels", "Barcelona", (8860, 8860), 41.2800, 1.9767, "93", 2),
            City("Cornellà de Llobregat", "Barcelona", (8940, 8940), 41.3550, 2.0700, "93", 2),
            City("Vilanova i la Geltrú", "Barcelona", (8800, 8800), 41.2242, 1.7257, "93", 2),
            City("Girona", "Girona", (17001, 17007), 41.9794, 2.8214, "972", 3),
            City("Tarragona", "Tarragona", (43001, 43008), 41.1189, 1.2445, "977", 3),
            City("Reus", "Tarragona", (43201, 43206), 41.1561, 1.1069, "977", 2),
        ),
    ),
    Area(
        "Valencia",
        (
            City("Valencia", "Valencia", (46001, 46026), 39.4699, -0.3763, "96", 50),
            City("Torrent", "Valencia", (46900, 46902), 39.4371, -0.4655, "96"),
            City("Gandia", "Valencia", (46700, 46702), 38.9680, -0.1819, "96"),
            City("Paterna", "Valencia", (46980, 46980), 39.5027, -0.4406, "96"),
            City("Sagunto", "Valencia", (46500, 46500), 39.6800, -0.2735, "96"),
            City("Alzira", "Valencia", (46600, 46600), 39.1510, -0.4350, "96", 2),
            City("Burjassot", "Valencia", (46100, 46100), 39.5097, -0.4133, "96", 2),
            City("Xàtiva", "Valencia", (46800, 46800), 38.9900, -0.5180, "96", 2),
            City("Castellón de la Plana", "Castellón", (12001, 12006), 39.9864, -0.0513, "964"),
            City("Alicante", "Alicante", (3001, 3016), 38.3452, -0.4810, "965", 6),
            City("Elche", "Alicante", (3201, 3208), 38.2699, -0.7126, "965", 3),
            City("Benidorm", "Alicante", (3501, 3503), 38.5411, -0.1225, "965", 2),
        ),
    ),
    Area(
        "Sevilla",
        (
            City("Sevilla", "Sevilla", (41001, 41020), 37.3891, -5.9845, "954", 50),
            City("Dos Hermanas", "Sevilla", (41700, 41704), 37.2828, -5.9209, "954", 5),
            City("Alcalá de Guadaíra", "Sevilla", (41500, 41500), 37.3378, -5.8397, "955"),
            City("Utrera", "Sevilla", (41710, 41710), 37.1850, -5.7810, "955", 2),
            City("Écija", "Sevilla", (41400, 41400), 37.5410, -5.0828, "955", 2),
            City("Mairena del Aljarafe", "Sevilla", (41927, 41927), 37.3447, -6.0632, "954"),
            City("Huelva", "Huelva", (21001, 21007), 37.2614, -6.9447, "959", 3),
            City("Cádiz", "Cádiz", (11001, 11012), 36.5271, -6.2886, "956", 3),
            City("Jerez de la Frontera", "Cádiz", (11401, 11408), 36.6850, -6.1261, "956", 4),
            City("Córdoba", "Córdoba", (14001, 14014), 37.8882, -4.7794, "957", 5),
        ),
    ),
    Area(
        "Málaga",
        (
            City("Málaga", "Málaga", (29001, 29018), 36.7213, -4.4214, "952", 45),
            City("Marbella", "Málaga", (29600, 29604), 36.5101, -4.8825, "952", 6),
            City("Fuengirola", "Málaga", (29640, 29640), 36.5396, -4.6247, "952"),
            City("Torremolinos", "Málaga", (29620, 29620), 36.6219, -4.4997, "952"),
            City("Benalmádena", "Málaga", (29630, 29631), 36.5989, -4.5168, "952"),
            City("Vélez-Málaga", "Málaga", (29700, 29700), 36.7809, -4.1016, "952", 2),
            City("Estepona", "Málaga", (29680, 29680), 36.4276, -5.1463, "952", 2),
            City("Ronda", "Málaga", (29400, 29400), 36.7462, -5.1612, "952", 2),
            City("Antequera", "Málaga", (29200, 29200), 37.0194, -4.5612, "952", 2),
            City("Granada", "Granada", (18001, 18015), 37.1773, -3.5986, "958", 6),
            City("Almería", "Almería", (4001, 4009), 36.8381, -2.4597, "950", 3),
        ),
    ),
    Area(
        "Bilbao",
        (
            City("Bilbao", "Bizkaia", (48001, 48015), 43.2630, -2.9350, "94", 40),
            City("Barakaldo", "Bizkaia", (48901, 48903), 43.2956, -2.9973, "94"),
            City("Getxo", "Bizkaia", (48990, 48993), 43.3569, -3.0116, "94", 5),
            City("Portugalete", "Bizkaia", (48920, 48920), 43.3209, -3.0200, "94", 3),
            City("Durango", "Bizkaia", (48200, 48200), 43.1717, -2.6339, "94", 2),
            City("Donostia-San Sebastián", "Gipuzkoa", (20001, 20018), 43.3183, -1.9812, "943", 8),
            City("Vitoria-Gasteiz", "Álava", (1001, 1015), 42.8467, -2.6716, "945", 6),
            City("Santander", "Cantabria", (39001, 39012), 43.4623, -3.8099, "942", 4),
            City("Logroño", "La Rioja", (26001, 26009), 42.4627, -2.4450, "941", 3),
            City("Pamplona", "Navarra", (31001, 31016), 42.8125, -1.6458, "948", 4),
        ),
    ),
    Area(
        "Zaragoza",
        (
            City("Zaragoza", "Zaragoza", (50001, 50018), 41.6488, -0.8891, "976", 60),
            City("Utebo", "Zaragoza", (50180, 50180), 41.7140, -0.9946, "976", 3),
            City("Calatayud", "Zaragoza", (50300, 50300), 41.3534, -1.6432, "976", 2),
            City("Ejea de los Caballeros", "Zaragoza", (50600, 50600), 42.1263, -1.1372, "976", 2),
            City("Tarazona", "Zaragoza", (50500, 50500), 41.9050, -1.7247, "976", 2),
            City("Huesca", "Huesca", (22001, 22006), 42.1401, -0.4089, "974", 5),
            City("Teruel", "Teruel", (44001, 44003), 40.3456, -1.1065, "978", 3),
            City("Lleida", "Lleida", (25001, 25008), 41.6176, 0.6200, "973", 4),
        ),
    ),
    Area(
        "A Coruña",
        (
            City("A Coruña", "A Coruña", (15001, 15011), 43.3623, -8.4115, "981", 35),
            City("Santiago de Compostela", "A Coruña", (15701, 15707), 42.8782, -8.5448, "981", 12),
            City("Ferrol", "A Coruña", (15401, 15406), 43.4832, -8.2369, "981", 5),
            City("Vigo", "Pontevedra", (36201, 36216), 42.2406, -8.7207, "986", 12),
            City("Pontevedra", "Pontevedra", (36001, 36005), 42.4310, -8.6444, "986", 5),
            City("Lugo", "Lugo", (27001, 27004), 43.0097, -7.5560, "982", 4),
            City("Ourense", "Ourense", (32001, 32005), 42.3358, -7.8639, "988", 4),
            City("Oviedo", "Asturias", (33001, 33013), 43.3614, -5.8494, "985", 5),
            City("Gijón", "Asturias", (33201, 33213), 43.5322, -5.6611, "985", 5),
        ),
    ),
)

# fmt: off
STREETS: tuple[str, ...] = (
    "Calle Mayor", "Calle Real", "Calle Nueva", "Plaza de España", "Calle San Juan",
    "Calle de la Iglesia", "Avenida de la Constitución", "Calle del Carmen",
    "Calle Santa María", "Calle Cervantes", "Calle Goya", "Calle Velázquez",
    "Avenida del Mediterráneo", "Calle Colón", "Calle del Sol", "Calle de la Luna",
    "Calle de los Olivos", "Calle Rosalía de Castro", "Avenida de la Libertad",
    "Calle Doctor Fleming", "Calle Juan de la Cierva", "Calle Miguel Hernández",
    "Calle Antonio Machado", "Calle Federico García Lorca", "Calle Ramón y Cajal",
    "Calle Severo Ochoa", "Paseo de la Estación", "Calle Isaac Albéniz",
    "Calle Manuel de Falla", "Calle Enrique Granados", "Calle Joaquín Turina",
    "Avenida de Andalucía", "Calle Pablo Picasso", "Calle Gran Vía", "Calle de la Paz",
    "Avenida de Europa", "Calle San Francisco", "Calle Alfonso XIII",
    "Calle Príncipe de Vergara", "Ronda de Circunvalación", "Calle Jacinto Benavente",
    "Calle Pintor Sorolla", "Calle Reyes Católicos", "Calle Blasco Ibáñez", "Plaza Mayor",
    "Calle Hernán Cortés", "Calle de la Fuente", "Travesía del Molino",
)
# fmt: on

FLOORS: tuple[str, ...] = ("Bajo", "1.º", "2.º", "3.º", "4.º", "5.º", "6.º", "Ático")
DOORS: tuple[str, ...] = ("A", "B", "C", "D", "izda.", "dcha.")

ROUTE_ZONES: tuple[str, ...] = ("Centro", "Norte", "Sur", "Este", "Oeste")

# --- Institutions -----------------------------------------------------------

MUSIC_SCHOOL_NAMES: tuple[str, ...] = (
    "Escuela de Música Allegro",
    "Escuela de Música Crescendo",
    "Academia de Música Mozart",
    "Escuela de Música Pentagrama",
    "Academia Musical Clave de Sol",
    "Escuela de Música Armonía",
    "Academia de Piano Chopin",
    "Escuela de Música Corchea",
    "Aula de Música Semifusa",
    "Escuela de Música Adagio",
    "Academia Musical Sforzando",
    "Escuela de Música La Batuta",
    "Centro de Estudios Musicales Orfeo",
    "Academia de Música Euterpe",
    "Escuela de Música Manuel de Falla",
    "Academia Musical Albéniz",
    "Escuela de Música Granados",
    "Escuela de Música Do Re Mi",
    "Academia de Música Bemol",
    "Escuela de Música Moderna Fusa",
    "Escuela de Música Tutti",
    "Academia Musical Da Capo",
    "Escuela de Música Cantabile",
    "Escuela de Música Rubato",
)
MUSIC_SCHOOL_PER_CITY = "Escuela Municipal de Música de {city}"
CONSERVATORY_PATTERNS: tuple[str, ...] = (
    "Conservatorio Profesional de Música de {city}",
    "Conservatorio Elemental de Música de {city}",
    "Conservatorio Superior de Música de {city}",
)
CONCERT_HALL_PATTERNS: tuple[str, ...] = (
    "Auditorio Municipal de {city}",
    "Teatro Principal de {city}",
    "Palacio de Congresos de {city}",
    "Centro Cultural de {city}",
    "Casino de {city}",
    "Teatro Cervantes de {city}",
)
PROFESSIONAL_BUSINESSES: tuple[str, ...] = (
    "Hotel Palacio {surname}",
    "Estudios de Grabación Sonora",
    "Hotel Miramar",
    "Parroquia de Santa María",
    "Colegio San José",
    "Restaurante El Piano",
    "Estudio de Grabación La Nota Azul",
    "Hotel Gran Vía",
    "Colegio Santa Teresa",
    "Escuela de Danza {surname}",
    "Asociación Coral {surname}",
    "Hotel Puerta del Sol",
    "Estudio de Grabación Cuarta Pista",
    "Iglesia de San Pedro",
    "Residencia Los Olivos",
    "Club de Jazz Blue Note",
    "Colegio Alemán",
    "Escuela de Canto {surname}",
)

# --- Pianos ---------------------------------------------------------------


@dataclass(frozen=True)
class PianoModel:
    brand: str
    model: str
    category: PianoCategory
    piano_type: PianoType
    size_cm: int | None
    years: tuple[int, int]
    weight: int = 4


_V = PianoCategory.VERTICAL
_G = PianoCategory.GRAND
_D = PianoCategory.DIGITAL
_T = PianoType

# Types by size (DOMAIN.md): vertical spinet <100, console 100-110, studio
# 110-120, upright professional >120; grand baby <150, medium 150-180, parlor
# 180-210, semi-concert and concert >210 (concert from 250 here).
PIANO_MODELS: tuple[PianoModel, ...] = (
    # Verticals
    PianoModel("Baldwin", "Acrosonic", _V, _T.SPINET, 93, (1960, 1985), 1),
    PianoModel("Wurlitzer", "2270", _V, _T.SPINET, 94, (1965, 1988), 1),
    PianoModel("Yamaha", "b1", _V, _T.CONSOLE, 109, (2011, 2024), 6),
    PianoModel("Yamaha", "JU109", _V, _T.CONSOLE, 109, (2013, 2022), 3),
    PianoModel("Kawai", "CE-7N", _V, _T.CONSOLE, 108, (1995, 2012), 2),
    PianoModel("Yamaha", "b2", _V, _T.STUDIO, 113, (2011, 2024), 5),
    PianoModel("Yamaha", "P116", _V, _T.STUDIO, 116, (2008, 2024), 4),
    PianoModel("Kawai", "K-200", _V, _T.STUDIO, 114, (2012, 2024), 5),
    PianoModel("Steinway & Sons", "Z-114", _V, _T.STUDIO, 114, (1980, 2008), 1),
    PianoModel("Petrof", "P 118 P1", _V, _T.STUDIO, 118, (1990, 2023), 4),
    PianoModel("Bechstein", "Millenium 116 K", _V, _T.STUDIO, 116, (2000, 2020), 1),
    PianoModel("Bechstein", "Classic 118", _V, _T.STUDIO, 118, (1995, 2023), 1),
    PianoModel("Schimmel", "C 116 Tradition", _V, _T.STUDIO, 116, (1995, 2023), 3),
    PianoModel("Pleyel", "P 118", _V, _T.STUDIO, 118, (1975, 2012), 2),
    PianoModel("Pleyel", "Pianino", _V, _T.STUDIO, 112, (1900, 1965), 3),
    PianoModel("Chassaigne Frères", "Pianino", _V, _T.STUDIO, 115, (1905, 1935), 2),
    PianoModel("Seiler", "116 Primus", _V, _T.STUDIO, 116, (1990, 2023), 2),
    PianoModel("Blüthner", "Modell B", _V, _T.STUDIO, 118, (1985, 2022), 1),
    PianoModel("August Förster", "116 C", _V, _T.STUDIO, 116, (1980, 2022), 1),
    PianoModel("Zimmermann", "Z 116", _V, _T.STUDIO, 116, (1970, 2010), 2),
    PianoModel("Rönisch", "118 K", _V, _T.STUDIO, 118, (1975, 2015), 1),
    PianoModel("Boston", "UP-118E", _V, _T.STUDIO, 118, (2000, 2020), 1),
    PianoModel("Samick", "JS-115", _V, _T.STUDIO, 115, (1990, 2015), 2),
    PianoModel("Yamaha", "U1", _V, _T.UPRIGHT_PROFESSIONAL, 121, (1965, 2024), 10),
    PianoModel("Yamaha", "U3", _V, _T.UPRIGHT_PROFESSIONAL, 131, (1960, 2024), 7),
    PianoModel("Yamaha", "YUS1", _V, _T.UPRIGHT_PROFESSIONAL, 121, (2005, 2024), 3),
    PianoModel("Yamaha", "YUS5", _V, _T.UPRIGHT_PROFESSIONAL, 131, (2005, 2024), 2),
    PianoModel("Yamaha", "b3", _V, _T.UPRIGHT_PROFESSIONAL, 121, (2011, 2024), 3),
    PianoModel("Kawai", "K-300", _V, _T.UPRIGHT_PROFESSIONAL, 122, (2012, 2024), 5),
    PianoModel("Kawai", "K-500", _V, _T.UPRIGHT_PROFESSIONAL, 130, (2012, 2024), 2),
    PianoModel("Kawai", "K-800", _V, _T.UPRIGHT_PROFESSIONAL, 134, (2012, 2024), 1),
    PianoModel("Kawai", "BL-71", _V, _T.UPRIGHT_PROFESSIONAL, 131, (1975, 1990), 2),
    PianoModel("Kawai", "ND-21", _V, _T.UPRIGHT_PROFESSIONAL, 121, (2012, 2023), 2),
    PianoModel("Steinway & Sons", "K-132", _V, _T.UPRIGHT_PROFESSIONAL, 132, (1990, 2024), 1),
    PianoModel("Steinway & Sons", "V-125", _V, _T.UPRIGHT_PROFESSIONAL, 125, (1985, 2020), 1),
    PianoModel("Bösendorfer", "130", _V, _T.UPRIGHT_PROFESSIONAL, 130, (1990, 2022), 1),
    PianoModel("Petrof", "P 125 F1", _V, _T.UPRIGHT_PROFESSIONAL, 125, (1985, 2023), 3),
    PianoModel("Petrof", "P 131 M1", _V, _T.UPRIGHT_PROFESSIONAL, 131, (2005, 2023), 1),
    PianoModel("Bechstein", "Concert 8", _V, _T.UPRIGHT_PROFESSIONAL, 131, (1990, 2023), 1),
    PianoModel("Schimmel", "K 125 Tradition", _V, _T.UPRIGHT_PROFESSIONAL, 125, (1995, 2023), 2),
    PianoModel("Schimmel", "K 132 Tradition", _V, _T.UPRIGHT_PROFESSIONAL, 132, (1995, 2023), 1),
    PianoModel("Seiler", "132 Concert", _V, _T.UPRIGHT_PROFESSIONAL, 132, (1995, 2023), 1),
    PianoModel("Blüthner", "Modell A", _V, _T.UPRIGHT_PROFESSIONAL, 124, (1985, 2022), 1),
    PianoModel("August Förster", "125 G", _V, _T.UPRIGHT_PROFESSIONAL, 125, (1980, 2022), 1),
    PianoModel("Pleyel", "P 124", _V, _T.UPRIGHT_PROFESSIONAL, 124, (1975, 2012), 1),
    PianoModel("Boston", "UP-126E", _V, _T.UPRIGHT_PROFESSIONAL, 126, (2000, 2020), 1),
    PianoModel("Young Chang", "U-121", _V, _T.UPRIGHT_PROFESSIONAL, 121, (1985, 2010), 2),
    # Grands
    PianoModel("Pearl River", "GP 142", _G, _T.BABY_GRAND, 142, (2005, 2023), 2),
    PianoModel("Samick", "SIG-48", _G, _T.BABY_GRAND, 148, (1995, 2018), 2),
    PianoModel("Kawai", "GM-10K", _G, _T.BABY_GRAND, 149, (2008, 2022), 3),
    PianoModel("Yamaha", "GB1K", _G, _T.MEDIUM_GRAND, 151, (2004, 2024), 5),
    PianoModel("Yamaha", "C1X", _G, _T.MEDIUM_GRAND, 161, (2012, 2024), 3),
    PianoModel("Yamaha", "GC2", _G, _T.MEDIUM_GRAND, 173, (2004, 2024), 2),
    PianoModel("Yamaha", "C2X", _G, _T.MEDIUM_GRAND, 173, (2012, 2024), 2),
    PianoModel("Yamaha", "G2", _G, _T.MEDIUM_GRAND, 173, (1965, 1990), 3),
    PianoModel("Kawai", "GL-10", _G, _T.MEDIUM_GRAND, 153, (2011, 2024), 3),
    PianoModel("Kawai", "GX-1", _G, _T.MEDIUM_GRAND, 166, (2010, 2024), 2),
    PianoModel("Steinway & Sons", "S-155", _G, _T.MEDIUM_GRAND, 155, (1950, 2015), 1),
    PianoModel("Steinway & Sons", "M-170", _G, _T.MEDIUM_GRAND, 170, (1930, 2024), 2),
    PianoModel("Bösendorfer", "170VC", _G, _T.MEDIUM_GRAND, 170, (2005, 2022), 1),
    PianoModel("Petrof", "P 159 Bora", _G, _T.MEDIUM_GRAND, 159, (2008, 2023), 2),
    PianoModel("Petrof", "P 173 Breeze", _G, _T.MEDIUM_GRAND, 173, (2008, 2023), 1),
    PianoModel("Schimmel", "C 169 Tradition", _G, _T.MEDIUM_GRAND, 169, (1995, 2023), 1),
    PianoModel("Seiler", "168 Virtuoso", _G, _T.MEDIUM_GRAND, 168, (1995, 2023), 1),
    PianoModel("Pleyel", "Modèle F", _G, _T.MEDIUM_GRAND, 165, (1920, 1965), 2),
    PianoModel("Boston", "GP-163", _G, _T.MEDIUM_GRAND, 163, (2000, 2020), 1),
    PianoModel("Yamaha", "C3X", _G, _T.PARLOR_GRAND, 186, (2012, 2024), 4),
    PianoModel("Yamaha", "C3", _G, _T.PARLOR_GRAND, 186, (1970, 2011), 4),
    PianoModel("Yamaha", "C5X", _G, _T.PARLOR_GRAND, 200, (2012, 2024), 1),
    PianoModel("Kawai", "GX-3", _G, _T.PARLOR_GRAND, 188, (2010, 2024), 2),
    PianoModel("Kawai", "RX-3", _G, _T.PARLOR_GRAND, 186, (1995, 2010), 1),
    PianoModel("Steinway & Sons", "A-188", _G, _T.PARLOR_GRAND, 188, (1920, 2024), 1),
    PianoModel("Bösendorfer", "200", _G, _T.PARLOR_GRAND, 200, (1980, 2022), 1),
    PianoModel("Bechstein", "B 192", _G, _T.PARLOR_GRAND, 192, (1995, 2023), 1),
    PianoModel("Petrof", "P 194 Storm", _G, _T.PARLOR_GRAND, 194, (2008, 2023), 1),
    PianoModel("Schimmel", "K 195 Tradition", _G, _T.PARLOR_GRAND, 195, (1995, 2023), 1),
    PianoModel("Fazioli", "F183", _G, _T.PARLOR_GRAND, 183, (1995, 2024), 1),
    PianoModel("Steinway & Sons", "B-211", _G, _T.SEMI_CONCERT, 211, (1960, 2024), 2),
    PianoModel("Yamaha", "C6X", _G, _T.SEMI_CONCERT, 212, (2012, 2024), 1),
    PianoModel("Yamaha", "C7X", _G, _T.SEMI_CONCERT, 227, (2012, 2024), 2),
    PianoModel("Kawai", "GX-7", _G, _T.SEMI_CONCERT, 229, (2010, 2024), 1),
    PianoModel("Bösendorfer", "214VC", _G, _T.SEMI_CONCERT, 214, (2010, 2022), 1),
    PianoModel("Fazioli", "F228", _G, _T.SEMI_CONCERT, 228, (1995, 2024), 1),
    PianoModel("Petrof", "P 237 Monsoon", _G, _T.SEMI_CONCERT, 237, (2008, 2023), 1),
    PianoModel("Steinway & Sons", "D-274", _G, _T.CONCERT_GRAND, 274, (1970, 2024), 3),
    PianoModel("Yamaha", "CFX", _G, _T.CONCERT_GRAND, 275, (2010, 2024), 2),
    PianoModel("Kawai", "SK-EX", _G, _T.CONCERT_GRAND, 276, (2001, 2024), 1),
    PianoModel("Bösendorfer", "280VC", _G, _T.CONCERT_GRAND, 280, (2010, 2022), 1),
    PianoModel("Fazioli", "F278", _G, _T.CONCERT_GRAND, 278, (1995, 2024), 1),
    PianoModel("Bechstein", "D 282", _G, _T.CONCERT_GRAND, 282, (1995, 2023), 1),
    # Digitals
    PianoModel("Yamaha", "Clavinova CLP-745", _D, _T.CONSOLE_DIGITAL, None, (2020, 2025), 6),
    PianoModel("Yamaha", "Clavinova CLP-735", _D, _T.CONSOLE_DIGITAL, None, (2017, 2021), 4),
    PianoModel("Yamaha", "Arius YDP-165", _D, _T.CONSOLE_DIGITAL, None, (2020, 2025), 5),
    PianoModel("Yamaha", "P-125", _D, _T.PORTABLE, None, (2018, 2024), 5),
    PianoModel("Yamaha", "P-45", _D, _T.PORTABLE, None, (2015, 2024), 4),
    PianoModel("Yamaha", "CP88", _D, _T.STAGE, None, (2019, 2025), 1),
    PianoModel("Yamaha", "AvantGrand N1X", _D, _T.HYBRID, None, (2019, 2025), 1),
    PianoModel("Kawai", "CA49", _D, _T.CONSOLE_DIGITAL, None, (2019, 2025), 3),
    PianoModel("Kawai", "ES120", _D, _T.PORTABLE, None, (2021, 2025), 2),
    PianoModel("Kawai", "MP11SE", _D, _T.STAGE, None, (2017, 2024), 1),
    PianoModel("Kawai", "Novus NV10S", _D, _T.HYBRID, None, (2021, 2025), 1),
    PianoModel("Roland", "HP704", _D, _T.CONSOLE_DIGITAL, None, (2019, 2025), 3),
    PianoModel("Roland", "LX708", _D, _T.CONSOLE_DIGITAL, None, (2019, 2025), 2),
    PianoModel("Roland", "FP-30X", _D, _T.PORTABLE, None, (2021, 2025), 3),
    PianoModel("Roland", "RD-2000", _D, _T.STAGE, None, (2017, 2025), 1),
    PianoModel("Casio", "Celviano AP-470", _D, _T.CONSOLE_DIGITAL, None, (2018, 2024), 2),
    PianoModel("Casio", "Privia PX-S3100", _D, _T.PORTABLE, None, (2020, 2025), 2),
    PianoModel("Nord", "Piano 5", _D, _T.STAGE, None, (2020, 2025), 1),
)

# Serial numbers: (first year, first serial, last year, last serial) to
# interpolate; brands not listed get a plain 5-6 digit number.
SERIAL_RANGES: dict[str, tuple[int, int, int, int]] = {
    "Yamaha": (1960, 400_000, 2024, 6_900_000),
    "Kawai": (1970, 300_000, 2024, 2_900_000),
    "Steinway & Sons": (1920, 200_000, 2024, 620_000),
    "Bösendorfer": (1980, 35_000, 2022, 56_000),
    "Petrof": (1970, 300_000, 2023, 680_000),
    "Bechstein": (1980, 150_000, 2023, 220_000),
    "Pleyel": (1900, 130_000, 2012, 250_000),
    "Blüthner": (1980, 140_000, 2022, 160_000),
    "Schimmel": (1990, 300_000, 2023, 440_000),
}
DIGITAL_SERIAL_PREFIXES: dict[str, tuple[str, ...]] = {
    "Yamaha": ("BBZS", "EBQN", "BCZX"),
    "Kawai": ("KW", "KWX"),
    "Roland": ("Z1H", "A5K", "H8L"),
    "Casio": ("CS", "CSP"),
    "Nord": ("NP5",),
}

HOME_ROOMS: tuple[str, ...] = (
    "Salón",
    "Salón",
    "Comedor",
    "Estudio",
    "Despacho",
    "Sala de estar",
    "Dormitorio",
    "Biblioteca",
    "Buhardilla",
)
INSTITUTION_ROOMS: tuple[str, ...] = (
    "Aula 1",
    "Aula 2",
    "Aula 3",
    "Aula 4",
    "Aula 5",
    "Aula 6",
    "Aula 7",
    "Aula 8",
    "Aula 9",
    "Aula 10",
    "Aula 11",
    "Aula 12",
    "Cabina 1",
    "Cabina 2",
    "Cabina 3",
    "Sala de cámara",
    "Auditorio",
    "Sala de profesores",
    "Aula de coro",
    "Vestíbulo",
)
HALL_ROOMS: tuple[str, ...] = ("Escenario principal", "Sala de cámara", "Sala de ensayo")
BUSINESS_ROOMS: tuple[str, ...] = (
    "Salón principal",
    "Sala de estudio",
    "Recepción",
    "Sala de ensayo",
)
INSTITUTION_FLOORS: tuple[str, ...] = ("Planta baja", "Primera planta", "Segunda planta", "Sótano")

PIANO_NOTES: tuple[str, ...] = (
    "Heredado de los abuelos; mucho valor sentimental.",
    "Comprado de segunda mano en 2019.",
    "Junto a un radiador: vigilar la humedad.",
    "Tecla Fa 4 algo lenta en la repetición.",
    "Pedal celeste con ruido.",
    "Mueble con barniz original en buen estado.",
    "Afinar a 442 Hz (lo usa con grupo de cámara).",
    "Clavijas duras; puede necesitar sobremedida en el futuro.",
    "Tiene humidificador Dampp-Chaser instalado.",
    "Polilla en los fieltros de los apagadores (tratada).",
    "Se usa a diario para clases.",
    "Ruedas bloqueadas; no mover sin ayuda.",
)

CLIENT_NOTES: tuple[str, ...] = (
    "Prefiere visitas por la mañana.",
    "Llamar antes de ir; el portero automático no funciona.",
    "Tiene perro; avisar al llegar.",
    "Aparcamiento difícil en la zona: ir en transporte público.",
    "Paga por Bizum.",
    "Piano en segunda residencia; solo visitas en verano.",
    "Hija estudia grado profesional de piano.",
    "Quiere presupuesto de restauración para el año que viene.",
    "Factura a nombre de la empresa.",
    "Horario de conserjería: de 9:00 a 14:00.",
    "Contacto: secretaría del centro.",
    "Prefiere comunicación por WhatsApp.",
    "Cliente desde hace más de diez años.",
    "Recomendado por la Escuela de Música del barrio.",
)

# --- Services ---------------------------------------------------------------

SERVICE_LABELS: dict[ServiceType, str] = {
    ServiceType.TUNING: "Afinación",
    ServiceType.REPAIR: "Reparación",
    ServiceType.REGULATION: "Regulación",
    ServiceType.MAINTENANCE_BASIC: "Mantenimiento básico",
    ServiceType.MAINTENANCE_COMPLETE: "Mantenimiento completo",
    ServiceType.MAINTENANCE_PREMIUM: "Mantenimiento premium",
    ServiceType.INSPECTION: "Inspección",
    ServiceType.RESTORATION: "Restauración",
    ServiceType.OTHER: "Otro",
}

SERVICE_NOTES: dict[ServiceType, tuple[str, ...]] = {
    ServiceType.TUNING: (
        "Afinado a La 440 Hz.",
        "Afinado a La 442 Hz a petición del cliente.",
        "Subida de tono de unos 20 cents antes de afinar.",
        "Afinación fina; el piano mantenía bien la anterior.",
        "Unísonos abiertos en el registro agudo; corregido.",
        "Clavijas algo flojas en los graves.",
        "Afinación antes de concierto.",
        "Bajó bastante por la calefacción; afinado en dos pasadas.",
    ),
    ServiceType.REPAIR: (
        "Sustitución de cuerda rota (La 2).",
        "Cambio de martillo roto en el Do 5.",
        "Ajuste del pedal de resonancia, que chirriaba.",
        "Tecla Re 5 pegada: ajuste de la guía del balancín.",
        "Encolado de la cabeza de un martillo.",
        "Cambio de muelle de báscula en tres notas.",
        "Reparación de bordón que zumbaba.",
        "Sustitución de la cinta de retorno en varias notas.",
    ),
    ServiceType.REGULATION: (
        "Regulación completa de teclado y mecánica.",
        "Ajuste de escape y caída de martillos.",
        "Nivelado de teclado y profundidad de tecla.",
    ),
    ServiceType.MAINTENANCE_BASIC: ("Limpieza interior y afinación.",),
    ServiceType.MAINTENANCE_COMPLETE: ("Limpieza, afinación, ajuste de pedales y lubricación.",),
    ServiceType.MAINTENANCE_PREMIUM: (
        "Mantenimiento anual completo con entonación ligera de martillos.",
    ),
    ServiceType.INSPECTION: (
        "Valoración para compraventa.",
        "Revisión general antes de la mudanza.",
        "Inspección tras daños por humedad.",
        "Revisión de piano digital: teclas sin respuesta en el grave.",
    ),
    ServiceType.RESTORATION: (
        "Restauración en taller: encordado y cambio de clavijas.",
        "Restauración de mecánica y cambio de fieltros.",
        "Restauración de mueble y barnizado a muñequilla.",
    ),
    ServiceType.OTHER: (
        "Ajuste tras traslado del piano.",
        "Asesoramiento para la compra de un piano.",
        "Instalación de humidificador.",
    ),
}

TECHNICIAN_NOTES: tuple[str, ...] = (
    "Recomendar regulación el próximo año.",
    "Revisar los apagadores en la próxima visita.",
    "Humedad alta: aconsejar deshumidificador.",
    "Humedad baja por la calefacción: aconsejar humidificador.",
    "Martillos muy gastados: presupuestar cambio.",
    "Tabla armónica con una grieta pequeña; vigilar.",
    "El cliente quiere afinar dos veces al año.",
    "Llevar cuerdas de bordón la próxima vez.",
)

SERVICE_TASKS: dict[ServiceType, tuple[str, ...]] = {
    ServiceType.TUNING: (
        "Revisión general",
        "Afinación",
        "Ajuste de unísonos",
        "Prueba final con el cliente",
    ),
    ServiceType.REPAIR: (
        "Diagnóstico",
        "Desmontaje de la mecánica",
        "Reparación",
        "Montaje y ajuste",
        "Prueba final",
    ),
    ServiceType.REGULATION: (
        "Ajuste del teclado",
        "Regulación de la mecánica",
        "Ajuste del escape",
        "Regulación de apagadores",
        "Ajuste de pedales",
        "Afinación final",
    ),
    ServiceType.MAINTENANCE_BASIC: ("Limpieza interior", "Afinación", "Revisión de pedales"),
    ServiceType.MAINTENANCE_COMPLETE: (
        "Limpieza interior",
        "Afinación",
        "Ajuste de pedales",
        "Lubricación de piezas",
        "Revisión de martillos",
    ),
    ServiceType.MAINTENANCE_PREMIUM: (
        "Limpieza interior",
        "Afinación",
        "Ajuste de pedales",
        "Lubricación de piezas",
        "Entonación de martillos",
        "Regulación ligera",
        "Informe al cliente",
    ),
    ServiceType.RESTORATION: (
        "Desmontaje y transporte al taller",
        "Encordado",
        "Cambio de clavijas",
        "Restauración de la mecánica",
        "Cambio de fieltros",
        "Montaje y regulación",
        "Afinación y entrega",
    ),
}

# --- Prices -----------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    name: str
    category: ServiceType | None
    price: Decimal
    minutes: int
    description: str = ""
    active: bool = True


SERVICE_RATES: tuple[Rate, ...] = (
    Rate("Afinación piano vertical", ServiceType.TUNING, Decimal("90.00"), 60),
    Rate("Afinación piano de cola", ServiceType.TUNING, Decimal("110.00"), 90),
    Rate(
        "Afinación con subida de tono",
        ServiceType.TUNING,
        Decimal("130.00"),
        120,
        "Para pianos muy bajos de tono (dos pasadas).",
    ),
    Rate(
        "Afinación de concierto",
        ServiceType.TUNING,
        Decimal("150.00"),
        90,
        "Incluye repaso antes del concierto.",
    ),
    Rate("Regulación completa piano vertical", ServiceType.REGULATION, Decimal("380.00"), 360),
    Rate("Regulación completa piano de cola", ServiceType.REGULATION, Decimal("550.00"), 480),
    Rate(
        "Mantenimiento básico",
        ServiceType.MAINTENANCE_BASIC,
        Decimal("120.00"),
        90,
        "Limpieza interior y afinación.",
    ),
    Rate("Mantenimiento completo", ServiceType.MAINTENANCE_COMPLETE, Decimal("220.00"), 180),
    Rate("Mantenimiento premium", ServiceType.MAINTENANCE_PREMIUM, Decimal("380.00"), 300),
    Rate(
        "Inspección y valoración",
        ServiceType.INSPECTION,
        Decimal("50.00"),
        45,
        "Informe del estado del piano (compraventa, mudanza, seguro).",
    ),
    Rate("Revisión de piano digital", ServiceType.INSPECTION, Decimal("60.00"), 45),
    Rate("Mano de obra de reparación (hora)", ServiceType.REPAIR, Decimal("45.00"), 60),
    Rate("Cambio de cuerda", ServiceType.REPAIR, Decimal("35.00"), 30, "Cuerda no incluida."),
    Rate(
        "Restauración (desde)",
        ServiceType.RESTORATION,
        Decimal("1500.00"),
        1200,
        "Precio orientativo; siempre con presupuesto previo.",
    ),
    Rate("Desplazamiento (km)", None, Decimal("0.38"), 0, "Fuera del término municipal."),
    Rate(
        "Afinación piano vertical (tarifa 2024)",
        ServiceType.TUNING,
        Decimal("85.00"),
        60,
        active=False,
    ),
)

# Tuning price by how long ago the work was done (prices go up each year).
TUNING_PRICE_BY_AGE: tuple[tuple[int, Decimal, Decimal], ...] = (
    # (max days ago, vertical, grand)
    (365, Decimal("90.00"), Decimal("110.00")),
    (730, Decimal("85.00"), Decimal("105.00")),
    (100_000, Decimal("80.00"), Decimal("100.00")),
)

# --- Inventory --------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    name: str
    category: InventoryCategory
    unit: str
    cost: Decimal
    min_stock: int
    stock: int
    supplier: str
    usable: bool = False  # taken for repairs in the demo services


_I = InventoryCategory
INVENTORY_ITEMS: tuple[Item, ...] = (
    Item(
        "Cuerda de acero Röslau n.º 13 (bobina 1/4 lb)",
        _I.STRINGS,
        "bobina",
        Decimal("14.20"),
        1,
        3,
        "Röslau",
    ),
    Item(
        "Cuerda de acero Röslau n.º 15 (bobina 1/4 lb)",
        _I.STRINGS,
        "bobina",
        Decimal("14.20"),
        1,
        2,
        "Röslau",
    ),
    Item(
        "Cuerda de acero Röslau n.º 17 (bobina 1/4 lb)",
        _I.STRINGS,
        "bobina",
        Decimal("14.80"),
        1,
        2,
        "Röslau",
    ),
    Item(
        "Cuerda de acero Röslau n.º 19 (bobina 1/4 lb)",
        _I.STRINGS,
        "bobina",
        Decimal("15.10"),
        1,
        1,
        "Röslau",
    ),
    Item("Cuerda de acero (tramo)", _I.STRINGS, "m", Decimal("0.85"), 10, 60, "Röslau", True),
    Item("Bordón entorchado a medida", _I.STRINGS, "ud", Decimal("18.50"), 2, 6, "Mapes", True),
    Item(
        "Juego de martillos Abel para vertical",
        _I.HAMMERS,
        "juego",
        Decimal("520.00"),
        0,
        1,
        "Abel",
    ),
    Item(
        "Juego de martillos Renner para cola",
        _I.HAMMERS,
        "juego",
        Decimal("780.00"),
        0,
        1,
        "Louis Renner",
    ),
    Item("Martillo de repuesto", _I.HAMMERS, "ud", Decimal("9.80"), 5, 14, "Louis Renner", True),
    Item(
        "Fieltro de apagador (juego)", _I.DAMPERS, "juego", Decimal("95.00"), 1, 2, "Louis Renner"
    ),
    Item(
        "Apagador completo de vertical",
        _I.DAMPERS,
        "ud",
        Decimal("6.40"),
        5,
        12,
        "Louis Renner",
        True,
    ),
    Item("Revestimiento de teclas (juego)", _I.KEYS, "juego", Decimal("160.00"), 0, 1, "Pianotek"),
    Item("Tecla de repuesto", _I.KEYS, "ud", Decimal("12.00"), 2, 5, "Pianotek", True),
    Item("Plomos de tecla (bolsa 50)", _I.KEYS, "bolsa", Decimal("11.50"), 1, 3, "Pianotek"),
    Item("Muelle de báscula", _I.ACTION_PARTS, "ud", Decimal("0.90"), 20, 80, "Louis Renner", True),
    Item(
        "Cinta de retorno (bolsa 100)",
        _I.ACTION_PARTS,
        "bolsa",
        Decimal("14.00"),
        1,
        4,
        "Louis Renner",
    ),
    Item(
        "Palanca de repetición Renner",
        _I.ACTION_PARTS,
        "ud",
        Decimal("7.30"),
        4,
        10,
        "Louis Renner",
        True,
    ),
    Item("Lengüeta de escape", _I.ACTION_PARTS, "ud", Decimal("3.20"), 6, 20, "Louis Renner", True),
    Item(
        "Tornillo de regulación de escape (bolsa 100)",
        _I.ACTION_PARTS,
        "bolsa",
        Decimal("8.60"),
        1,
        2,
        "Pianotek",
    ),
    Item("Muelle de pedal", _I.PEDALS, "ud", Decimal("4.50"), 3, 8, "Pianotek", True),
    Item("Fieltro de pedal", _I.PEDALS, "ud", Decimal("1.20"), 6, 4, "Pianotek", True),
    Item("Varilla de pedal", _I.PEDALS, "ud", Decimal("6.90"), 2, 4, "Pianotek"),
    Item("Clavijas 7,0 mm (caja 100)", _I.TUNING_PINS, "caja", Decimal("38.50"), 1, 2, "Klinke"),
    Item("Clavijas 7,2 mm (caja 100)", _I.TUNING_PINS, "caja", Decimal("38.50"), 1, 2, "Klinke"),
    Item(
        "Clavijas sobremedida 7,4 mm (caja 100)",
        _I.TUNING_PINS,
        "caja",
        Decimal("41.00"),
        2,
        1,
        "Klinke",
    ),
    Item("Fieltro de bastidor", _I.FELTS, "m", Decimal("7.80"), 2, 6, "Pianotek", True),
    Item("Paño de mortaja", _I.FELTS, "m", Decimal("9.40"), 1, 3, "Pianotek"),
    Item(
        "Arandelas de fieltro de balancín (bolsa 500)",
        _I.FELTS,
        "bolsa",
        Decimal("12.90"),
        1,
        2,
        "Pianotek",
    ),
    Item(
        "Arandelas de fieltro frontales (bolsa 500)",
        _I.FELTS,
        "bolsa",
        Decimal("12.90"),
        1,
        1,
        "Pianotek",
    ),
    Item("Llave de afinar Jahn", _I.TOOLS, "ud", Decimal("89.00"), 1, 2, "Jahn"),
    Item("Cuñas de goma (juego)", _I.TOOLS, "juego", Decimal("7.50"), 1, 3, "Jahn"),
    Item("Tira de fieltro para temperar", _I.TOOLS, "ud", Decimal("3.90"), 2, 5, "Jahn"),
    Item(
        "Higrómetro digital",
        _I.TOOLS,
        "ud",
        Decimal("24.00"),
        1,
        2,
        "Suministros Musicales Levante",
    ),
    Item("Pinzas de regulación", _I.TOOLS, "ud", Decimal("32.00"), 1, 1, "Jahn"),
    Item("Lubricante Protek CLP", _I.CHEMICALS, "bote", Decimal("16.50"), 1, 2, "Pianotek"),
    Item("Lubricante McLube", _I.CHEMICALS, "bote", Decimal("19.00"), 1, 1, "Pianotek"),
    Item(
        "Limpiador de teclas",
        _I.CHEMICALS,
        "bote",
        Decimal("8.90"),
        2,
        4,
        "Suministros Musicales Levante",
    ),
    Item("Cola para martillos", _I.CHEMICALS, "bote", Decimal("11.20"), 1, 2, "Pianotek"),
    Item("Humidificador Dampp-Chaser", _I.OTHER, "ud", Decimal("210.00"), 0, 2, "Dampp-Chaser"),
    Item(
        "Funda para piano vertical",
        _I.OTHER,
        "ud",
        Decimal("65.00"),
        1,
        2,
        "Suministros Musicales Levante",
    ),
    Item(
        "Ruedas para piano (juego de 4)",
        _I.OTHER,
        "juego",
        Decimal("48.00"),
        1,
        1,
        "Suministros Musicales Levante",
    ),
)

# --- Documents --------------------------------------------------------------

BANK_CODES: tuple[str, ...] = ("2100", "0049", "0182", "0081", "0128", "2085", "3058", "0073")

# Quote templates: (title, lines as (kind, description, quantity, unit price, discount %)).
QUOTE_TEMPLATES: tuple[tuple[str, tuple[tuple[str, str, str, str, str], ...]], ...] = (
    (
        "Regulación completa",
        (
            ("service", "Regulación completa de teclado y mecánica", "1", "380.00", "0"),
            ("labor", "Ajuste de pedales", "1", "45.00", "0"),
        ),
    ),
    (
        "Cambio de juego de martillos",
        (
            ("part", "Juego de martillos Abel", "1", "780.00", "0"),
            ("labor", "Mano de obra (horas)", "8", "45.00", "0"),
            ("service", "Entonación y afinación final", "1", "110.00", "0"),
        ),
    ),
    (
        "Encordado completo y cambio de clavijas",
        (
            ("part", "Juego de cuerdas de acero y bordones a medida", "1", "950.00", "0"),
            ("part", "Clavijas sobremedida 7,4 mm (caja 100)", "3", "41.00", "0"),
            ("labor", "Mano de obra (horas)", "16", "45.00", "5"),
        ),
    ),
    (
        "Restauración de mueble y barnizado",
        (
            ("labor", "Restauración de mueble y barnizado a muñequilla", "1", "2400.00", "0"),
            ("travel", "Transporte al taller y vuelta", "1", "260.00", "0"),
        ),
    ),
    (
        "Cambio de fieltros de apagadores",
        (
            ("part", "Fieltro de apagador (juego)", "1", "145.00", "0"),
            ("labor", "Mano de obra (horas)", "3", "45.00", "0"),
        ),
    ),
    (
        "Traslado del piano y afinación",
        (
            ("travel", "Transporte del piano (3.ª planta sin ascensor)", "1", "280.00", "0"),
            ("service", "Afinación tras el traslado", "1", "90.00", "0"),
        ),
    ),
    (
        "Instalación de sistema de control de humedad",
        (
            ("material", "Humidificador Dampp-Chaser", "1", "320.00", "0"),
            ("labor", "Instalación y ajuste", "1.5", "45.00", "0"),
        ),
    ),
)
INSTITUTION_QUOTE_TITLE = "Mantenimiento anual de {n} pianos (curso {course})"

REMINDER_TITLES: dict[str, tuple[str, ...]] = {
    "call": (
        "Llamar para programar la afinación",
        "Llamar para confirmar la visita",
        "Llamar para hablar del presupuesto de restauración",
    ),
    "visit": ("Visitar para valorar el piano heredado", "Pasar a revisar la humedad de la sala"),
    "email": (
        "Enviar presupuesto de regulación",
        "Enviar factura rectificativa",
        "Enviar informe de estado",
    ),
    "whatsapp": ("Confirmar la cita por WhatsApp", "Enviar fotos del martillo roto"),
    "follow_up": (
        "Seguimiento tras el cambio de cuerdas",
        "Comprobar la afinación tras la subida de tono",
        "Seguimiento del presupuesto enviado",
    ),
}

APPOINTMENT_NOTES: tuple[str, ...] = (
    "Llamar al llegar.",
    "Portero automático: 3.º B.",
    "Llevar cuerdas de bordón.",
    "Aparcar en el parking de la plaza.",
    "La llave la tiene la conserje.",
    "Cliente pide factura.",
)
